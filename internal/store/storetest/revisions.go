package storetest

import (
	"bytes"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"patchbay"
	"patchbay/internal/store"
)

var equateEmpty = cmpopts.EquateEmpty()

func testPutRevisionsRoundTrip(t *testing.T, b Backend) {
	ctx := t.Context()
	var recs []store.RevisionRecord
	for i := range 30 {
		recs = append(recs, Record(i))
	}
	// Upper-case input ids are stored in canonical lower case.
	recs[1].Revision.UpdateID = "  " + string(bytes.ToUpper([]byte(recs[1].Revision.UpdateID)))
	res := mustPut(t, b, recs...)
	if res.Added != 30 || res.Updated != 0 || res.Unchanged != 0 || len(res.IDs) != 30 {
		t.Fatalf("PutRevisions(30 new) = %+v, want 30 added with 30 ids", res)
	}
	seen := map[int64]bool{}
	for _, id := range res.IDs {
		if id <= 0 || seen[id] {
			t.Fatalf("PutRevisions ids = %v, want distinct positive", res.IDs)
		}
		seen[id] = true
	}
	for _, i := range []int{0, 1, 3, 10, 29} {
		want := Record(i)
		got, err := b.Revision(ctx, want.Revision.RevisionKey)
		if err != nil {
			t.Fatalf("Revision(%v) = %v", want.Revision.RevisionKey, err)
		}
		if got.ID != res.IDs[i] {
			t.Errorf("Revision(%v).ID = %d, want %d", want.Revision.RevisionKey, got.ID, res.IDs[i])
		}
		if got.ImportedAt.IsZero() {
			t.Errorf("Revision(%v).ImportedAt is zero", want.Revision.RevisionKey)
		}
		if diff := cmp.Diff(want.Revision, got.Revision, equateEmpty); diff != "" {
			t.Errorf("Revision(%v) mismatch (-want +got):\n%s", want.Revision.RevisionKey, diff)
		}
		if !bytes.Equal(got.XML, want.XML) {
			t.Errorf("Revision(%v).XML differs from the stored bytes", want.Revision.RevisionKey)
		}
		sortFrags := cmpopts.SortSlices(func(a, b patchbay.Fragment) bool {
			return a.Kind+patchbay.FragmentKind(a.Locale) < b.Kind+patchbay.FragmentKind(b.Locale)
		})
		if diff := cmp.Diff(want.Fragments, got.Fragments, sortFrags, equateEmpty); diff != "" {
			t.Errorf("Revision(%v).Fragments mismatch (-want +got):\n%s", want.Revision.RevisionKey, diff)
		}
		xml, err := b.RevisionXML(ctx, want.Revision.RevisionKey)
		if err != nil || !bytes.Equal(xml, want.XML) {
			t.Errorf("RevisionXML(%v) = %d bytes, %v; want the %d stored bytes", want.Revision.RevisionKey, len(xml), err, len(want.XML))
		}
	}
	f := Record(5).Revision.Files[1]
	got, err := b.FileBySHA1(ctx, f.SHA1)
	if err != nil {
		t.Fatalf("FileBySHA1(%x) = %v", f.SHA1, err)
	}
	if diff := cmp.Diff(f, got, equateEmpty); diff != "" {
		t.Errorf("FileBySHA1(%x) mismatch (-want +got):\n%s", f.SHA1, diff)
	}
}

func testPutRevisionsIdempotent(t *testing.T, b Backend) {
	v0 := catalogVersion(t, b)
	mustPut(t, b, Record(1), Record(2))
	v1 := catalogVersion(t, b)
	if v1 <= v0 {
		t.Errorf("CatalogVersion after adding = %d, want > %d", v1, v0)
	}
	res := mustPut(t, b, Record(1), Record(2), Record(3))
	if res.Added != 1 || res.Unchanged != 2 || res.Updated != 0 {
		t.Errorf("PutRevisions(2 held, 1 new) = %+v, want 1 added, 2 unchanged", res)
	}
	v2 := catalogVersion(t, b)
	res2 := mustPut(t, b, Record(1), Record(2), Record(3))
	if res2.Unchanged != 3 || res2.Added+res2.Updated != 0 {
		t.Errorf("PutRevisions(3 held) = %+v, want 3 unchanged", res2)
	}
	if !slices.Equal(res.IDs, res2.IDs) {
		t.Errorf("PutRevisions ids on re-put = %v, want %v", res2.IDs, res.IDs)
	}
	if v3 := catalogVersion(t, b); v3 != v2 {
		t.Errorf("CatalogVersion after unchanged put = %d, want %d", v3, v2)
	}
	if _, err := b.PutRevisions(t.Context(), nil); err != nil {
		t.Errorf("PutRevisions(nil) = %v", err)
	}
}

func testPutRevisionsReplace(t *testing.T, b Backend) {
	ctx := t.Context()
	old := Record(7)
	first := mustPut(t, b, old)
	if err := b.Approve(ctx, patchbay.Approval{UpdateID: old.Revision.UpdateID, RevisionNumber: old.Revision.RevisionNumber,
		GroupID: patchbay.AllComputersGroupID, Action: patchbay.ActionInstall, DownloadPriority: patchbay.PriorityNormal}); err != nil {
		t.Fatalf("Approve = %v", err)
	}
	v := catalogVersion(t, b)

	changed := Record(7)
	changed.XML = append(slices.Clone(changed.XML), ' ')
	changed.Revision.Localized[0].Title = "Re-signed title"
	changed.Revision.Files = changed.Revision.Files[:1]
	changed.Fragments = changed.Fragments[:2]
	res := mustPut(t, b, changed)
	if res.Updated != 1 || res.Added+res.Unchanged != 0 {
		t.Fatalf("PutRevisions(different bytes) = %+v, want 1 updated", res)
	}
	if res.IDs[0] == first.IDs[0] {
		t.Errorf("replaced revision kept RevisionID %d, want a new one", res.IDs[0])
	}
	if catalogVersion(t, b) <= v {
		t.Errorf("CatalogVersion did not move on replace")
	}
	got, err := b.Revision(ctx, changed.Revision.RevisionKey)
	if err != nil {
		t.Fatalf("Revision = %v", err)
	}
	if diff := cmp.Diff(changed.Revision, got.Revision, equateEmpty); diff != "" {
		t.Errorf("replaced Revision mismatch (-want +got):\n%s", diff)
	}
	if len(got.Fragments) != 2 || !bytes.Equal(got.XML, changed.XML) {
		t.Errorf("replaced revision has %d fragments and %d xml bytes, want 2 and %d", len(got.Fragments), len(got.XML), len(changed.XML))
	}
	if _, err := b.Fragment(ctx, first.IDs[0], patchbay.FragmentCore, ""); patchbay.ErrorCode(err) != patchbay.ENotFound {
		t.Errorf("Fragment(old RevisionID) = %v, want not found", err)
	}
	as, err := b.Approvals(ctx)
	if err != nil || len(as) != 1 {
		t.Errorf("Approvals after replace = %v, %v; want the approval kept", as, err)
	}
	// The same key twice in one batch: the second copy wins.
	a, c := Record(8), Record(8)
	c.XML = append(slices.Clone(c.XML), '\n')
	res = mustPut(t, b, a, c)
	if res.Added != 1 || res.Updated != 1 {
		t.Errorf("PutRevisions(same key twice, different bytes) = %+v, want 1 added, 1 updated", res)
	}
}

func testPutRevisionsInvalid(t *testing.T, b Backend) {
	noID := Record(1)
	noID.Revision.UpdateID = ""
	noXML := Record(2)
	noXML.XML = nil
	dupFrag := Record(3)
	dupFrag.Fragments = append(dupFrag.Fragments, dupFrag.Fragments[0])
	for _, tc := range []struct {
		name string
		rec  store.RevisionRecord
	}{{"no update id", noID}, {"no xml", noXML}, {"duplicate fragment", dupFrag}} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.PutRevisions(t.Context(), []store.RevisionRecord{Record(10), tc.rec})
			wantCode(t, "PutRevisions", err, patchbay.EInvalid)
		})
	}
	// Nothing of a refused batch is written.
	if _, err := b.RevisionXML(t.Context(), Record(10).Revision.RevisionKey); patchbay.ErrorCode(err) != patchbay.ENotFound {
		t.Errorf("RevisionXML(record of refused batch) = %v, want not found", err)
	}
}

func testRevisions(t *testing.T, b Backend) {
	const n = 120
	var recs []store.RevisionRecord
	for i := range n {
		recs = append(recs, Record(i))
	}
	mustPut(t, b, recs[:70]...)
	mustPut(t, b, recs[70:]...)
	var got []store.RevisionRecord
	if err := b.Revisions(t.Context(), func(r store.RevisionRecord) error {
		got = append(got, r)
		return nil
	}); err != nil {
		t.Fatalf("Revisions = %v", err)
	}
	if len(got) != n {
		t.Fatalf("Revisions returned %d records, want %d", len(got), n)
	}
	for i, r := range got {
		if i > 0 && r.ID <= got[i-1].ID {
			t.Fatalf("Revisions not in RevisionID order at %d", i)
		}
		if diff := cmp.Diff(recs[i].Revision, r.Revision, equateEmpty); diff != "" {
			t.Fatalf("Revisions()[%d] mismatch (-want +got):\n%s", i, diff)
		}
	}
	stop := errors.New("stop")
	calls := 0
	err := b.Revisions(t.Context(), func(store.RevisionRecord) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Revisions with failing fn = %v after %d calls, want stop after 1", err, calls)
	}
}

func testNotFound(t *testing.T, b Backend) {
	ctx := t.Context()
	mustPut(t, b, Record(1))
	key := patchbay.RevisionKey{UpdateID: Record(1).Revision.UpdateID, RevisionNumber: 999}
	_, err := b.Revision(ctx, key)
	wantCode(t, "Revision(unknown)", err, patchbay.ENotFound)
	_, err = b.RevisionXML(ctx, key)
	wantCode(t, "RevisionXML(unknown)", err, patchbay.ENotFound)
	_, err = b.Fragment(ctx, 1<<40, patchbay.FragmentCore, "")
	wantCode(t, "Fragment(unknown revision)", err, patchbay.ENotFound)
	_, err = b.FileBySHA1(ctx, make([]byte, 20))
	wantCode(t, "FileBySHA1(unknown)", err, patchbay.ENotFound)
	_, err = b.ContentBySHA1(ctx, make([]byte, 20))
	wantCode(t, "ContentBySHA1(unknown)", err, patchbay.ENotFound)
}

func testFragments(t *testing.T, b Backend) {
	ctx := t.Context()
	res := mustPut(t, b, Record(1), Record(2))
	for i, id := range res.IDs {
		want := Record(i + 1).Fragments[3]
		got, err := b.Fragment(ctx, id, patchbay.FragmentLocalizedProperties, "de")
		if err != nil || !bytes.Equal(got.XML, want.XML) || got.Locale != "de" {
			t.Errorf("Fragment(%d, LocalizedProperties, de) = %q, %v; want %q", id, got.XML, err, want.XML)
		}
	}
	_, err := b.Fragment(ctx, res.IDs[0], patchbay.FragmentLocalizedProperties, "fr")
	wantCode(t, "Fragment(missing locale)", err, patchbay.ENotFound)
	var ids []int64
	if err := b.Fragments(ctx, patchbay.FragmentCore, func(id int64, f patchbay.Fragment) error {
		if f.Kind != patchbay.FragmentCore || len(f.XML) == 0 {
			t.Errorf("Fragments(Core) gave %s fragment of %d bytes", f.Kind, len(f.XML))
		}
		ids = append(ids, id)
		return nil
	}); err != nil {
		t.Fatalf("Fragments(Core) = %v", err)
	}
	if !slices.Equal(ids, res.IDs) {
		t.Errorf("Fragments(Core) ids = %v, want %v", ids, res.IDs)
	}
}

// testConcurrent writes and reads from several goroutines at once; run
// under -race it also checks the backend's own synchronization.
func testConcurrent(t *testing.T, b Backend) {
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 4 {
		wg.Go(func() {
			for j := range 5 {
				i := 1000 + w*100 + j
				if _, err := b.PutRevisions(ctx, []store.RevisionRecord{Record(i), Record(i + 50)}); err != nil {
					errs <- err
					return
				}
				r := Record(i)
				if err := b.Approve(ctx, patchbay.Approval{UpdateID: r.Revision.UpdateID, RevisionNumber: r.Revision.RevisionNumber,
					GroupID: patchbay.AllComputersGroupID, Action: patchbay.ActionInstall}); err != nil {
					errs <- err
					return
				}
			}
		})
		wg.Go(func() {
			for range 5 {
				if err := b.Revisions(ctx, func(store.RevisionRecord) error { return nil }); err != nil {
					errs <- err
					return
				}
				if _, err := b.CatalogVersion(ctx); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent use: %v", err)
	}
	n := 0
	if err := b.Revisions(ctx, func(store.RevisionRecord) error { n++; return nil }); err != nil || n != 40 {
		t.Errorf("Revisions after concurrent puts = %d, %v; want 40", n, err)
	}
	if as, err := b.Approvals(ctx); err != nil || len(as) != 20 {
		t.Errorf("Approvals after concurrent approves = %d, %v; want 20", len(as), err)
	}
}
