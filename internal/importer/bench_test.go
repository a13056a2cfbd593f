package importer_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"patchbay/internal/importer"
	"patchbay/internal/store/sqlite"
)

// BenchmarkImport imports a folder of 2,000 small update documents into a
// fresh SQLite store: parsing, hashing and storing end to end.
func BenchmarkImport(b *testing.B) {
	const docs = 2000
	dir := b.TempDir()
	for i := range docs {
		data := updateXML(i, map[string][]byte{fmt.Sprintf("kb%d.cab", i): fmt.Appendf(nil, "payload %d", i)})
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%05d.xml", i)), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	n := 0
	for b.Loop() {
		b.StopTimer()
		db, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), fmt.Sprintf("p%d.db", n)))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sum, err := (&importer.Importer{Revisions: db, Files: db}).Import(b.Context(), dir)
		if err != nil || sum.Added != docs {
			b.Fatalf("Import = %+v, %v", sum, err)
		}
		n += docs
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "revisions/s")
}
