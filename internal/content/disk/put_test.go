package disk_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"patchbay"
	"patchbay/internal/content"
)

func TestPutOpen(t *testing.T) {
	s, dir := openStore(t)
	b := newBlob(1, 5000)
	if err := s.Put(t.Context(), b.sha1, b.sha256, int64(len(b.data)), "cab", bytes.NewReader(b.data)); err != nil {
		t.Fatalf("Put() = %v", err)
	}
	want := content.Name(b.sha1, ".cab")
	if got := entries(t, dir); len(got) != 1 || got[0] != want {
		t.Errorf("files after Put = %q, want [%q]", got, want)
	}
	f, err := s.Open(t.Context(), b.sha1)
	if err != nil {
		t.Fatalf("Open() = %v", err)
	}
	defer f.Close()
	if f.Size != int64(len(b.data)) || f.Ext != ".cab" || !bytes.Equal(f.SHA1, b.sha1) || f.ModTime.IsZero() {
		t.Errorf("Open() info = %+v", f.Info)
	}
	if _, err := f.Seek(4000, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	if !bytes.Equal(got, b.data[4000:]) {
		t.Errorf("read after Seek(4000) = %d bytes, want the last 1000", len(got))
	}
	if ok, err := s.Has(t.Context(), b.sha1); !ok || err != nil {
		t.Errorf("Has() = %v, %v, want true, nil", ok, err)
	}
	if info, err := s.Stat(t.Context(), b.sha1); err != nil || info.Size != 5000 {
		t.Errorf("Stat() = %+v, %v", info, err)
	}
}

func TestPutMismatch(t *testing.T) {
	b := newBlob(2, 3000)
	other := newBlob(3, 3000)
	tests := []struct {
		name    string
		sha1    []byte
		sha256  []byte
		size    int64
		data    []byte
		mention string
	}{
		{"wrong sha1", other.sha1, nil, 3000, b.data, "sha1 expected " + (hexs(other.sha1)) + " actual " + (hexs(b.sha1))},
		{"wrong sha256", b.sha1, other.sha256, 3000, b.data, "sha256 expected " + (hexs(other.sha256))},
		{"short", b.sha1, b.sha256, 3000, b.data[:2999], "size expected 3000 actual 2999"},
		{"long", b.sha1, b.sha256, 2999, b.data, "size expected 2999 actual 3000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, dir := openStore(t)
			err := s.Put(t.Context(), tc.sha1, tc.sha256, tc.size, ".exe", bytes.NewReader(tc.data))
			var pe *patchbay.Error
			if !errors.As(err, &pe) || pe.Code != patchbay.EInvalid {
				t.Fatalf("Put() = %v, want a *patchbay.Error with code %s", err, patchbay.EInvalid)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("Put() = %q, want it to mention %q", err, tc.mention)
			}
			if got := entries(t, dir); len(got) != 0 {
				t.Errorf("files after failed Put = %q, want none", got)
			}
			if ok, _ := s.Has(t.Context(), tc.sha1); ok {
				t.Errorf("Has() = true after failed Put")
			}
		})
	}
}

func TestPutBadArguments(t *testing.T) {
	s, _ := openStore(t)
	b := newBlob(4, 10)
	for _, tc := range []struct {
		name         string
		sha1, sha256 []byte
		ext          string
	}{
		{"short sha1", b.sha1[:10], nil, ".cab"},
		{"short sha256", b.sha1, b.sha256[:20], ".cab"},
		{"traversal ext", b.sha1, nil, "/../../x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Put(t.Context(), tc.sha1, tc.sha256, 10, tc.ext, bytes.NewReader(b.data))
			if patchbay.ErrorCode(err) != patchbay.EInvalid {
				t.Errorf("Put() = %v, want code %s", err, patchbay.EInvalid)
			}
		})
	}
}

// failReader fails the test if read: Put of present content must not read.
type failReader struct{ t *testing.T }

func (f failReader) Read([]byte) (int, error) {
	f.t.Error("Put read its input for content already present")
	return 0, io.EOF
}

func TestPutIdempotent(t *testing.T) {
	s, dir := openStore(t)
	b := newBlob(5, 2000)
	if err := s.Put(t.Context(), b.sha1, b.sha256, 2000, ".cab", bytes.NewReader(b.data)); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(filepath.Join(dir, content.Name(b.sha1, ".cab")))
	if err := s.Put(t.Context(), b.sha1, b.sha256, 2000, ".cab", failReader{t}); err != nil {
		t.Errorf("second Put() = %v, want nil", err)
	}
	after, _ := os.Stat(filepath.Join(dir, content.Name(b.sha1, ".cab")))
	if !os.SameFile(before, after) {
		t.Errorf("second Put replaced an intact file")
	}
}

func TestPutReplacesDamaged(t *testing.T) {
	s, dir := openStore(t)
	b := newBlob(6, 2000)
	damaged := filepath.Join(dir, filepath.FromSlash(content.Name(b.sha1, ".exe")))
	os.MkdirAll(filepath.Dir(damaged), 0o755)
	if err := os.WriteFile(damaged, b.data[:1000], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(t.Context(), b.sha1, nil, 2000, ".cab", bytes.NewReader(b.data)); err != nil {
		t.Fatalf("Put() = %v", err)
	}
	if got := entries(t, dir); len(got) != 1 || got[0] != content.Name(b.sha1, ".cab") {
		t.Errorf("files = %q, want only the new copy", got)
	}
}

func TestPutConcurrent(t *testing.T) {
	s, dir := openStore(t)
	b := newBlob(7, 200_000)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			errs[i] = s.Put(t.Context(), b.sha1, b.sha256, int64(len(b.data)), ".cab", bytes.NewReader(b.data))
		})
	}
	// Readers race with the writers: they see nothing or the whole file.
	for range 4 {
		wg.Go(func() {
			f, err := s.Open(t.Context(), b.sha1)
			if err != nil {
				if patchbay.ErrorCode(err) != patchbay.ENotFound {
					t.Errorf("Open() during Put = %v", err)
				}
				return
			}
			defer f.Close()
			got, _ := io.ReadAll(f)
			if !bytes.Equal(got, b.data) {
				t.Errorf("Open() during Put read %d bytes, want the whole file", len(got))
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Put #%d = %v", i, err)
		}
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("files = %q, want one", got)
	}
}
