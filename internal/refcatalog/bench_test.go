package refcatalog

import "testing"

// BenchmarkStream measures in-memory generation of the benchmark-size
// catalog (20,000 revisions, metadata only).
func BenchmarkStream(b *testing.B) {
	var bytes int64
	for b.Loop() {
		s, err := Stream(Options{Revisions: 20000}, func(string, []byte) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		bytes = s.MetadataBytes
	}
	b.SetBytes(bytes)
}
