package importer_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"patchbay"
	"patchbay/internal/importer"
	"patchbay/internal/store"
	"patchbay/internal/store/sqlite"
	"patchbay/internal/updatexml"
)

// memSink is a ContentSink that keeps files in memory and checks digests as
// content.Store does.
type memSink struct {
	mu    sync.Mutex
	files map[string][]byte // by hex SHA-1 + ext
}

func (m *memSink) Put(ctx context.Context, s1, s256 []byte, size int64, ext string, r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	got1, got256 := sha1.Sum(b), sha256.Sum256(b)
	if !bytes.Equal(got1[:], s1) || (len(s256) > 0 && !bytes.Equal(got256[:], s256)) || int64(len(b)) != size {
		return patchbay.Errorf(patchbay.EInvalid, "content does not match its digests")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.files == nil {
		m.files = map[string][]byte{}
	}
	m.files[fmt.Sprintf("%x%s", s1, ext)] = b
	return nil
}

func openDB(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "patchbay.db"))
	if err != nil {
		t.Fatalf("sqlite.Open = %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func guid(n int) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", n, n) }

// updateXML returns a full update XML document for revision n that lists
// files (contents given) with their digests.
func updateXML(n int, files map[string][]byte) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?>`+"\n"+
		`<upd:Update xmlns:upd="http://schemas.microsoft.com/msus/2002/12/Update">`+
		`<upd:UpdateIdentity UpdateID="%s" RevisionNumber="%d" />`+
		`<upd:Properties UpdateType="Software" DefaultPropertiesLanguage="en" CreationDate="2025-01-02T03:04:05Z" />`+
		`<upd:LocalizedPropertiesCollection><upd:LocalizedProperties><upd:Language>en</upd:Language>`+
		`<upd:Title>Test update %d</upd:Title></upd:LocalizedProperties></upd:LocalizedPropertiesCollection>`,
		guid(n), 100+n, n)
	if len(files) > 0 {
		b.WriteString(`<upd:Files>`)
		for name, data := range files {
			s1, s256 := sha1.Sum(data), sha256.Sum256(data)
			fmt.Fprintf(&b, `<upd:File Digest="%s" DigestAlgorithm="SHA1" FileName="%s" Size="%d">`+
				`<upd:AdditionalDigest Algorithm="SHA256">%s</upd:AdditionalDigest></upd:File>`,
				base64.StdEncoding.EncodeToString(s1[:]), name, len(data), base64.StdEncoding.EncodeToString(s256[:]))
		}
		b.WriteString(`</upd:Files>`)
	}
	b.WriteString(`</upd:Update>`)
	return []byte(b.String())
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// corpus writes a folder of update XML and content and returns its root.
func corpus(t *testing.T) string {
	dir := t.TempDir()
	payload := []byte("MSCF this is a cabinet, honest")
	write(t, filepath.Join(dir, "metadata", "a", "1.xml"), updateXML(1, map[string][]byte{"Windows-KB1.cab": payload}))
	write(t, filepath.Join(dir, "metadata", "a", "2.XML"), updateXML(2, nil))
	write(t, filepath.Join(dir, "metadata", "b", "3.xml"), updateXML(3, nil))
	write(t, filepath.Join(dir, "metadata", "b", "broken.xml"), []byte(`<upd:Update xmlns:upd="http://schemas.microsoft.com/msus/2002/12/Update"><upd:UpdateIdentity`))
	write(t, filepath.Join(dir, "metadata", "b", "noid.xml"), []byte(`<Update xmlns="http://schemas.microsoft.com/msus/2002/12/Update"><Properties UpdateType="Software"/></Update>`))
	write(t, filepath.Join(dir, "content", "payload.bin"), payload)
	write(t, filepath.Join(dir, "content", "README.txt"), []byte("not content of any update"))
	return dir
}

func TestImportFolder(t *testing.T) {
	ctx := t.Context()
	db := openDB(t)
	sink := &memSink{}
	var progress []importer.Progress
	im := &importer.Importer{Revisions: db, Files: db, Content: sink, BatchSize: 2,
		Progress: func(p importer.Progress) { progress = append(progress, p) }}
	dir := corpus(t)

	sum, err := im.Import(ctx, dir)
	if err != nil {
		t.Fatalf("Import = %v", err)
	}
	if sum.Added != 3 || sum.Unchanged != 0 || sum.Updated != 0 || sum.Rejected != 2 || sum.ContentFiles != 1 ||
		sum.Bytes != 30 || sum.Ignored != 1 {
		t.Errorf("Import() = %+v, want 3 added, 2 rejected, 1 content file of 30 bytes, 1 ignored", sum)
	}
	for _, r := range sum.Rejections {
		base := filepath.Base(r.Path)
		if (base != "broken.xml" && base != "noid.xml") || !strings.HasPrefix(r.Reason, "update") {
			t.Errorf("rejection %+v, want broken.xml or noid.xml with a parse error", r)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "metadata", "a", "1.xml"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.RevisionXML(ctx, patchbay.RevisionKey{UpdateID: guid(1), RevisionNumber: 101})
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("RevisionXML(1) = %d bytes, %v; want the file's %d bytes verbatim", len(got), err, len(data))
	}
	if _, ok := sink.files[fmt.Sprintf("%x.cab", sha1.Sum([]byte("MSCF this is a cabinet, honest")))]; !ok {
		t.Errorf("sink holds %v, want the payload under its SHA-1 with extension .cab", keys(sink.files))
	}
	if len(progress) == 0 {
		t.Fatal("Progress was never called")
	}
	last := progress[len(progress)-1]
	if last.Phase != importer.PhaseContent || last.Done != last.Total || last.Summary.Added != 3 {
		t.Errorf("last Progress = %+v, want content phase complete with 3 added", last)
	}
	if progress[0].Phase != importer.PhaseMetadata || progress[0].Total != 5 || progress[0].Done != 2 {
		t.Errorf("first Progress = %+v, want metadata 2 of 5", progress[0])
	}

	// Re-importing the same folder changes nothing.
	again, err := im.Import(ctx, dir)
	if err != nil {
		t.Fatalf("Import(again) = %v", err)
	}
	if again.Added != 0 || again.Updated != 0 || again.Unchanged != 3 || again.Rejected != 2 {
		t.Errorf("Import(again) = %+v, want 3 unchanged, 2 rejected", again)
	}

	// A document whose bytes changed replaces the held revision.
	write(t, filepath.Join(dir, "metadata", "a", "2.XML"), append(updateXML(2, nil), '\n'))
	changed, err := im.Import(ctx, filepath.Join(dir, "metadata", "a", "2.XML"))
	if err != nil {
		t.Fatalf("Import(single changed file) = %v", err)
	}
	if changed.Updated != 1 || changed.Added+changed.Unchanged+changed.Rejected != 0 {
		t.Errorf("Import(single changed file) = %+v, want 1 updated", changed)
	}
}

func TestImportMissingPath(t *testing.T) {
	im := &importer.Importer{Revisions: openDB(t)}
	_, err := im.Import(t.Context(), filepath.Join(t.TempDir(), "nope"))
	if patchbay.ErrorCode(err) != patchbay.ENotFound {
		t.Errorf("Import(missing) = %v, want not found", err)
	}
}

// putFunc is a RevisionWriter for error injection.
type putFunc func(ctx context.Context, recs []store.RevisionRecord) (store.PutResult, error)

func (f putFunc) PutRevisions(ctx context.Context, recs []store.RevisionRecord) (store.PutResult, error) {
	return f(ctx, recs)
}

// TestImportStoreRefusesOne checks that a record the store refuses as
// invalid rejects only its own file, and that other store errors abort.
func TestImportStoreRefusesOne(t *testing.T) {
	ctx := t.Context()
	db := openDB(t)
	dir := t.TempDir()
	for i := range 5 {
		write(t, filepath.Join(dir, fmt.Sprintf("%d.xml", i)), updateXML(i, nil))
	}
	bad := guid(3)
	refuse := putFunc(func(ctx context.Context, recs []store.RevisionRecord) (store.PutResult, error) {
		for _, r := range recs {
			if r.Revision.UpdateID == bad {
				return store.PutResult{}, patchbay.Errorf(patchbay.EInvalid, "revision %s refused", bad)
			}
		}
		return db.PutRevisions(ctx, recs)
	})
	sum, err := (&importer.Importer{Revisions: refuse}).Import(ctx, dir)
	if err != nil {
		t.Fatalf("Import = %v", err)
	}
	if sum.Added != 4 || sum.Rejected != 1 || filepath.Base(sum.Rejections[0].Path) != "3.xml" {
		t.Errorf("Import = %+v, want 4 added and 3.xml rejected", sum)
	}

	boom := errors.New("disk full")
	failing := putFunc(func(context.Context, []store.RevisionRecord) (store.PutResult, error) {
		return store.PutResult{}, boom
	})
	if _, err := (&importer.Importer{Revisions: failing}).Import(ctx, dir); !errors.Is(err, boom) {
		t.Errorf("Import with failing store = %v, want %v", err, boom)
	}
}

func TestImportCanceled(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "1.xml"), updateXML(1, nil))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := (&importer.Importer{Revisions: openDB(t)}).Import(ctx, dir)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Import(canceled) = %v, want context.Canceled", err)
	}
}

// TestImportRealDocuments is a conformance test over real update XML from
// a WSUS server; it skips when ../shared is absent.
func TestImportRealDocuments(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "data", "real", "wsus-rs", "wsus-m0-wsusss", "docs")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("real documents not available: %v", err)
	}
	ctx := t.Context()
	db := openDB(t)
	im := &importer.Importer{Revisions: db, Files: db}
	sum, err := im.Import(ctx, dir)
	if err != nil {
		t.Fatalf("Import = %v", err)
	}
	if sum.Added != len(entries) || sum.Rejected != 0 {
		t.Fatalf("Import(%d real documents) = %+v, want all added", len(entries), sum)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		// Names are UPDATEID-rREVISION.xml.
		id, rev, _ := strings.Cut(strings.TrimSuffix(e.Name(), ".xml"), "-r")
		var n int
		fmt.Sscan(rev, &n)
		key := patchbay.RevisionKey{UpdateID: id, RevisionNumber: n}
		rec, err := db.Revision(ctx, key)
		if err != nil {
			t.Errorf("Revision(%v) = %v", key, err)
			continue
		}
		if !bytes.Equal(rec.XML, data) {
			t.Errorf("Revision(%v).XML is not the file's bytes", key)
		}
		// Everything the parser found comes back from the store.
		doc, err := updatexml.Parse(data)
		if err != nil {
			t.Fatalf("updatexml.Parse(%s) = %v", e.Name(), err)
		}
		if diff := cmp.Diff(doc.Revision, rec.Revision, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Revision(%v) differs from the parsed document (-parsed +stored):\n%s", key, diff)
		}
		byKind := cmpopts.SortSlices(func(a, b patchbay.Fragment) bool {
			return string(a.Kind)+"/"+a.Locale+"/"+a.GeoID < string(b.Kind)+"/"+b.Locale+"/"+b.GeoID
		})
		if diff := cmp.Diff(doc.Fragments, rec.Fragments, byKind, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Revision(%v).Fragments differ from the parsed ones (-parsed +stored):\n%s", key, diff)
		}
	}
	again, err := im.Import(ctx, dir)
	if err != nil || again.Unchanged != len(entries) || again.Added+again.Updated+again.Rejected != 0 {
		t.Errorf("Import(again) = %+v, %v; want all unchanged", again, err)
	}
}

func keys(m map[string][]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}
