package disk_test

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"patchbay"
	"patchbay/internal/content"
	"patchbay/internal/content/disk"
)

// blob is test content with its digests.
type blob struct {
	data   []byte
	sha1   []byte
	sha256 []byte
}

func newBlob(seed uint64, n int) blob {
	r := rand.New(rand.NewPCG(seed, seed))
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	s1, s256 := sha1.Sum(data), sha256.Sum256(data)
	return blob{data: data, sha1: s1[:], sha256: s256[:]}
}

func openStore(t *testing.T) (*disk.Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := disk.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

// entries lists every name under dir, relative to it.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	return names
}

func TestOpenNotFound(t *testing.T) {
	s, _ := openStore(t)
	b := newBlob(8, 10)
	if _, err := s.Open(t.Context(), b.sha1); patchbay.ErrorCode(err) != patchbay.ENotFound {
		t.Errorf("Open() = %v, want code %s", err, patchbay.ENotFound)
	}
	if _, err := s.Stat(t.Context(), b.sha1); patchbay.ErrorCode(err) != patchbay.ENotFound {
		t.Errorf("Stat() = %v, want code %s", err, patchbay.ENotFound)
	}
	if ok, err := s.Has(t.Context(), b.sha1); ok || err != nil {
		t.Errorf("Has() = %v, %v, want false, nil", ok, err)
	}
	if err := s.Delete(t.Context(), b.sha1); patchbay.ErrorCode(err) != patchbay.ENotFound {
		t.Errorf("Delete() = %v, want code %s", err, patchbay.ENotFound)
	}
	if _, err := s.Open(t.Context(), b.sha1[:5]); patchbay.ErrorCode(err) != patchbay.EInvalid {
		t.Errorf("Open(short digest) = %v, want code %s", err, patchbay.EInvalid)
	}
}

// TestWSUSFolder serves files placed by hand, as in a copied WsusContent
// folder, including lower-case names, and ignores strays.
func TestWSUSFolder(t *testing.T) {
	s, dir := openStore(t)
	b := newBlob(9, 100)
	name := strings.ToLower(filepath.Base(content.Name(b.sha1, ".PSF")))
	folder := filepath.Join(dir, filepath.Dir(content.Name(b.sha1, "")))
	os.MkdirAll(folder, 0o755)
	os.WriteFile(filepath.Join(folder, name), b.data, 0o644)
	os.WriteFile(filepath.Join(folder, "desktop.ini"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(folder, "."+name+".tmp-1"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, "README"), []byte("x"), 0o644)

	f, err := s.Open(t.Context(), b.sha1)
	if err != nil {
		t.Fatalf("Open() = %v", err)
	}
	f.Close()
	if f.Ext != ".psf" {
		t.Errorf("Open().Ext = %q, want .psf", f.Ext)
	}
	var seen []content.Info
	if err := s.Walk(t.Context(), func(i content.Info) error { seen = append(seen, i); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || !bytes.Equal(seen[0].SHA1, b.sha1) || seen[0].Size != 100 {
		t.Errorf("Walk() saw %+v, want the one file", seen)
	}
}

func TestDeleteWalk(t *testing.T) {
	s, dir := openStore(t)
	var blobs []blob
	for i := range 5 {
		b := newBlob(uint64(100+i), 10+i)
		blobs = append(blobs, b)
		if err := s.Put(t.Context(), b.sha1, nil, content.UnknownSize, ".exe", bytes.NewReader(b.data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete(t.Context(), blobs[0].sha1); err != nil {
		t.Fatalf("Delete() = %v", err)
	}
	if ok, _ := s.Has(t.Context(), blobs[0].sha1); ok {
		t.Error("Has() = true after Delete")
	}
	n := 0
	stop := errors.New("stop")
	err := s.Walk(t.Context(), func(content.Info) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if err != stop || n != 2 {
		t.Errorf("Walk() = %v after %d files, want stop after 2", err, n)
	}
	n = 0
	s.Walk(t.Context(), func(content.Info) error { n++; return nil })
	if n != 4 || len(entries(t, dir)) != 4 {
		t.Errorf("Walk() saw %d files, want 4", n)
	}
}

func hexs(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }
