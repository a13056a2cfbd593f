package disk_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"patchbay"
	"patchbay/internal/content"
)

func TestPartialResume(t *testing.T) {
	s, dir := openStore(t)
	b := newBlob(20, 10_000)
	want := content.Digests{SHA1: b.sha1, SHA256: b.sha256, Size: 10_000}

	p, err := s.Partial(t.Context(), b.sha1, ".cab")
	if err != nil {
		t.Fatalf("Partial() = %v", err)
	}
	if p.Offset() != 0 || p.Validator() != "" {
		t.Errorf("new Partial: Offset() = %d, Validator() = %q", p.Offset(), p.Validator())
	}
	p.Write(b.data[:4000])
	if err := p.SetValidator(`"abc"`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Partial(t.Context(), b.sha1, ".cab"); patchbay.ErrorCode(err) != patchbay.EBusy {
		t.Errorf("second Partial() while open = %v, want code %s", err, patchbay.EBusy)
	}
	if ok, _ := s.Has(t.Context(), b.sha1); ok {
		t.Error("Has() = true for a partial file")
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}

	// A later process resumes where the first stopped.
	s2, err := s.Partial(t.Context(), b.sha1, ".cab")
	if err != nil {
		t.Fatalf("Partial() after Close = %v", err)
	}
	if s2.Offset() != 4000 || s2.Validator() != `"abc"` {
		t.Errorf("reopened Partial: Offset() = %d, Validator() = %q, want 4000, \"abc\"", s2.Offset(), s2.Validator())
	}
	s2.Write(b.data[4000:])
	if err := s2.Commit(t.Context(), want); err != nil {
		t.Fatalf("Commit() = %v", err)
	}
	if got := entries(t, dir); len(got) != 1 || got[0] != content.Name(b.sha1, ".cab") {
		t.Errorf("files after Commit = %q, want only the stored file", got)
	}
	f, err := s.Open(t.Context(), b.sha1)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, _ := io.ReadAll(f)
	if !bytes.Equal(got, b.data) {
		t.Error("committed file differs")
	}
	if err := s2.Close(); err != nil {
		t.Errorf("Close() after Commit = %v", err)
	}
}

func TestPartialCommitMismatch(t *testing.T) {
	s, dir := openStore(t)
	b := newBlob(21, 1000)
	other := newBlob(22, 1000)
	p, err := s.Partial(t.Context(), b.sha1, ".exe")
	if err != nil {
		t.Fatal(err)
	}
	p.Write(other.data)
	p.SetValidator("Wed, 02 Sep 2026 08:30:53 GMT")
	err = p.Commit(t.Context(), content.Digests{SHA1: b.sha1, SHA256: b.sha256, Size: 1000})
	if patchbay.ErrorCode(err) != patchbay.EInvalid {
		t.Fatalf("Commit() = %v, want code %s", err, patchbay.EInvalid)
	}
	if got := entries(t, dir); len(got) != 0 {
		t.Errorf("files after failed Commit = %q, want none", got)
	}
	// The digest is free again.
	p2, err := s.Partial(t.Context(), b.sha1, ".exe")
	if err != nil {
		t.Fatalf("Partial() after failed Commit = %v", err)
	}
	defer p2.Discard()
	if p2.Offset() != 0 {
		t.Errorf("Offset() after failed Commit = %d, want 0", p2.Offset())
	}
}

func TestPartialCommitOtherDigest(t *testing.T) {
	s, _ := openStore(t)
	b := newBlob(23, 100)
	other := newBlob(24, 100)
	p, err := s.Partial(t.Context(), b.sha1, ".exe")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Discard()
	p.Write(other.data)
	if err := p.Commit(t.Context(), content.Digests{SHA1: other.sha1, Size: 100}); patchbay.ErrorCode(err) != patchbay.EInvalid {
		t.Errorf("Commit(other digest) = %v, want code %s", err, patchbay.EInvalid)
	}
	if ok, _ := s.Has(t.Context(), other.sha1); ok {
		t.Error("Commit stored a file under a digest it was not opened for")
	}
}

func TestPartialResetDiscard(t *testing.T) {
	s, dir := openStore(t)
	b := newBlob(25, 100)
	p, err := s.Partial(t.Context(), b.sha1, "")
	if err != nil {
		t.Fatal(err)
	}
	p.Write(b.data[:50])
	p.SetValidator(`"x"`)
	if err := p.Reset(); err != nil {
		t.Fatal(err)
	}
	if p.Offset() != 0 || p.Validator() != "" {
		t.Errorf("after Reset: Offset() = %d, Validator() = %q", p.Offset(), p.Validator())
	}
	p.Write(b.data)
	if fi, _ := os.Stat(filepath.Join(dir, filepath.Dir(content.Name(b.sha1, "")), "."+hexs(b.sha1)+".partial")); fi == nil || fi.Size() != 100 {
		t.Errorf("partial file after Reset and Write = %v, want 100 bytes", fi)
	}
	if err := p.Discard(); err != nil {
		t.Fatal(err)
	}
	if got := entries(t, dir); len(got) != 0 {
		t.Errorf("files after Discard = %q, want none", got)
	}
	if _, err := p.Write([]byte("x")); err == nil {
		t.Error("Write() after Discard = nil, want an error")
	}
}
