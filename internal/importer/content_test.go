package importer_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"patchbay/internal/importer"
)

// TestImportContentOfEarlierMetadata imports content in a second run; the
// store's file index recognises it.
func TestImportContentOfEarlierMetadata(t *testing.T) {
	ctx := t.Context()
	db := openDB(t)
	dir := corpus(t)
	meta := &importer.Importer{Revisions: db}
	if sum, err := meta.Import(ctx, filepath.Join(dir, "metadata")); err != nil || sum.Added != 3 {
		t.Fatalf("Import(metadata) = %+v, %v; want 3 added", sum, err)
	}
	sink := &memSink{}
	im := &importer.Importer{Revisions: db, Files: db, Content: sink}
	sum, err := im.Import(ctx, filepath.Join(dir, "content"))
	if err != nil || sum.ContentFiles != 1 || sum.Ignored != 1 {
		t.Errorf("Import(content) = %+v, %v; want 1 content file, 1 ignored", sum, err)
	}
	// Without a file index the same content is not recognised.
	blind := &importer.Importer{Revisions: db, Content: &memSink{}}
	if sum, err := blind.Import(ctx, filepath.Join(dir, "content")); err != nil || sum.ContentFiles != 0 || sum.Ignored != 2 {
		t.Errorf("Import(content, no index) = %+v, %v; want 2 ignored", sum, err)
	}
}

func TestImportContentMismatch(t *testing.T) {
	ctx := t.Context()
	db := openDB(t)
	dir := t.TempDir()
	payload := []byte("payload")
	doc := updateXML(9, map[string][]byte{"x.cab": payload})
	// Metadata listing the right SHA-1 with a wrong SHA-256.
	right := base64.StdEncoding.EncodeToString(func() []byte { s := sha256.Sum256(payload); return s[:] }())
	wrong := base64.StdEncoding.EncodeToString(make([]byte, 32))
	write(t, filepath.Join(dir, "9.xml"), bytes.Replace(doc, []byte(right), []byte(wrong), 1))
	write(t, filepath.Join(dir, "x.cab"), payload)
	sink := &memSink{}
	sum, err := (&importer.Importer{Revisions: db, Files: db, Content: sink}).Import(ctx, dir)
	if err != nil {
		t.Fatalf("Import = %v", err)
	}
	if sum.Added != 1 || sum.Rejected != 1 || sum.ContentFiles != 0 || len(sink.files) != 0 {
		t.Errorf("Import = %+v, want the revision added and the mismatching file rejected", sum)
	}
}

// TestImportSymlinkedContent follows a link to a content file kept outside
// the imported folder.
func TestImportSymlinkedContent(t *testing.T) {
	ctx := t.Context()
	db := openDB(t)
	dir := corpus(t)
	payload := filepath.Join(dir, "content", "payload.bin")
	target := filepath.Join(t.TempDir(), "payload.bin")
	if err := os.Rename(payload, target); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, payload); err != nil {
		t.Skipf("symlinks not supported: %v", err)
	}
	sum, err := (&importer.Importer{Revisions: db, Files: db, Content: &memSink{}}).Import(ctx, dir)
	if err != nil || sum.ContentFiles != 1 {
		t.Errorf("Import(folder with a linked content file) = %+v, %v; want 1 content file", sum, err)
	}
}
