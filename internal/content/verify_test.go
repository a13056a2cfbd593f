package content

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"testing"

	"patchbay"
)

func sha1Of(b []byte) []byte   { s := sha1.Sum(b); return s[:] }
func sha256Of(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

func TestVerifier(t *testing.T) {
	data := []byte("hello")
	good := NewVerifier(Digests{SHA1: sha1Of(data), SHA256: sha256Of(data), Size: 5})
	good.Write(data)
	if err := good.Check(); err != nil {
		t.Errorf("Check() = %v, want nil", err)
	}
	bad := NewVerifier(Digests{SHA1: sha1Of([]byte("other")), SHA256: sha256Of(data), Size: 6})
	bad.Write(data)
	err := bad.Check()
	if patchbay.ErrorCode(err) != patchbay.EInvalid {
		t.Fatalf("Check() = %v, want code %s", err, patchbay.EInvalid)
	}
	for _, want := range []string{"size expected 6 actual 5", "sha1 expected " + hexUpper(sha1Of([]byte("other"))) + " actual " + hexUpper(sha1Of(data))} {
		if !bytes.Contains([]byte(err.Error()), []byte(want)) {
			t.Errorf("Check() = %q, want it to contain %q", err, want)
		}
	}
	if bytes.Contains([]byte(err.Error()), []byte("sha256")) {
		t.Errorf("Check() = %q names sha256, which matched", err)
	}
}

func TestCheckDigests(t *testing.T) {
	tests := []struct {
		name string
		d    Digests
		ok   bool
	}{
		{"sha1 only", Digests{SHA1: make([]byte, 20)}, true},
		{"both", Digests{SHA1: make([]byte, 20), SHA256: make([]byte, 32)}, true},
		{"short sha1", Digests{SHA1: make([]byte, 19)}, false},
		{"no sha1", Digests{SHA256: make([]byte, 32)}, false},
		{"short sha256", Digests{SHA1: make([]byte, 20), SHA256: make([]byte, 20)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckDigests(tc.d)
			if (err == nil) != tc.ok || (err != nil && patchbay.ErrorCode(err) != patchbay.EInvalid) {
				t.Errorf("CheckDigests(%+v) = %v, want ok %v", tc.d, err, tc.ok)
			}
		})
	}
}
