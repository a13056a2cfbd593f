package content

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strconv"
	"strings"

	"patchbay"
)

// CheckDigests returns a *patchbay.Error with code patchbay.EInvalid when
// want.SHA1 is not 20 bytes or want.SHA256 is neither empty nor 32 bytes.
func CheckDigests(want Digests) error {
	if len(want.SHA1) != SHA1Size {
		return patchbay.Errorf(patchbay.EInvalid, "sha1 digest has %d bytes, want %d", len(want.SHA1), SHA1Size)
	}
	if len(want.SHA256) != 0 && len(want.SHA256) != SHA256Size {
		return patchbay.Errorf(patchbay.EInvalid, "sha256 digest has %d bytes, want %d", len(want.SHA256), SHA256Size)
	}
	return nil
}

// Verifier hashes the bytes written to it and compares them with the
// expected digests. Client and server both verify: a file whose SHA-1
// [MS-WUSP §2.2.2.2.6] or SHA-256 [MS-WUSP §7 note 26] differs is discarded.
type Verifier struct {
	want   Digests
	sha1   hash.Hash
	sha256 hash.Hash
	n      int64
}

// NewVerifier returns a Verifier for want. SHA-256 is computed only when
// want.SHA256 is set.
func NewVerifier(want Digests) *Verifier {
	v := &Verifier{want: want, sha1: sha1.New()}
	if len(want.SHA256) != 0 {
		v.sha256 = sha256.New()
	}
	return v
}

// Write hashes p; it never fails.
func (v *Verifier) Write(p []byte) (int, error) {
	v.sha1.Write(p)
	if v.sha256 != nil {
		v.sha256.Write(p)
	}
	v.n += int64(len(p))
	return len(p), nil
}

// Size returns the number of bytes written so far.
func (v *Verifier) Size() int64 { return v.n }

// Check returns nil when every expected digest (and the size, when known)
// matches what was written, and otherwise a *patchbay.Error with code
// patchbay.EInvalid naming each expected and actual value.
func (v *Verifier) Check() error {
	var bad []string
	if v.want.Size >= 0 && v.n != v.want.Size {
		bad = append(bad, "size expected "+strconv.FormatInt(v.want.Size, 10)+" actual "+strconv.FormatInt(v.n, 10))
	}
	if got := v.sha1.Sum(nil); !bytes.Equal(got, v.want.SHA1) {
		bad = append(bad, "sha1 expected "+hexUpper(v.want.SHA1)+" actual "+hexUpper(got))
	}
	if v.sha256 != nil {
		if got := v.sha256.Sum(nil); !bytes.Equal(got, v.want.SHA256) {
			bad = append(bad, "sha256 expected "+hexUpper(v.want.SHA256)+" actual "+hexUpper(got))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return patchbay.Errorf(patchbay.EInvalid, "content %s does not match its digests: %s",
		hexUpper(v.want.SHA1), strings.Join(bad, ", "))
}

func hexUpper(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }
