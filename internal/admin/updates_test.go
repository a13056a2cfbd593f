package admin_test

import (
	"testing"
	"time"

	"patchbay"
	"patchbay/internal/admin"
	"patchbay/internal/store"
	"patchbay/internal/store/storetest"
)

func TestUpdates(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	ids := f.addUpdates(t, 1, 2, 3, 50)
	// Record(i) is in classification GUID(2_000_000+i%5).
	f.addClassification(t, storetest.GUID(2_000_001), "Security Updates")
	f.group(t, "Servers", "")
	f.addComputer(t, "c1", "pc1")
	f.addComputer(t, "c2", "pc2")
	at := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	for _, c := range []string{"c1", "c2"} {
		if err := f.db.ApplyStatus(ctx, c, store.StatusChanges{Report: &store.StatusReport{At: at, States: []store.StatusChange{
			{UpdateID: ids[1], State: patchbay.StateNotInstalled}, {UpdateID: ids[2], State: patchbay.StateInstalled}}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.Approve(ctx, admin.ApproveRequest{UpdateID: ids[0], Group: "Servers", Action: "install"}); err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	for _, tc := range []struct {
		name string
		f    admin.UpdateFilter
		want []string
	}{
		{"all, newest first, no categories", admin.UpdateFilter{}, []string{ids[2], ids[1], ids[0]}},
		{"text KB", admin.UpdateFilter{Text: "kb5000002"}, []string{ids[1]}},
		{"text title", admin.UpdateFilter{Text: "Cumulative"}, []string{ids[2], ids[1], ids[0]}},
		{"classification by title", admin.UpdateFilter{Classification: "security updates"}, []string{ids[0]}},
		{"approved", admin.UpdateFilter{Approved: &yes}, []string{ids[0]}},
		{"not approved", admin.UpdateFilter{Approved: &no}, []string{ids[2], ids[1]}},
		{"needed", admin.UpdateFilter{Needed: true}, []string{ids[1]}},
		{"limit and offset", admin.UpdateFilter{Limit: 1, Offset: 1}, []string{ids[1]}},
		{"needed with offset", admin.UpdateFilter{Needed: true, Offset: 1}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			us, err := f.svc.Updates(ctx, tc.f)
			if err != nil {
				t.Fatalf("Updates(%+v) = %v", tc.f, err)
			}
			var got []string
			for _, u := range us {
				got = append(got, u.UpdateID)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("Updates(%+v) = %v, want %v", tc.f, got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("Updates(%+v) = %v, want %v", tc.f, got, tc.want)
					break
				}
			}
		})
	}
	us, err := f.svc.Updates(ctx, admin.UpdateFilter{Text: ids[0]})
	if err != nil || len(us) != 1 {
		t.Fatalf("Updates(id) = %v, %v", us, err)
	}
	u := us[0]
	if u.KB != "KB5000001" || len(u.Classifications) != 1 || u.Classifications[0].Title != "Security Updates" ||
		len(u.Approvals) != 1 || u.Approvals[0].Group != "Servers" || u.Approvals[0].Action != "install" {
		t.Errorf("Updates(id)[0] = %+v", u)
	}
	us, _ = f.svc.Updates(ctx, admin.UpdateFilter{Text: ids[1]})
	if s := us[0].Status; s.Needed != 2 || s.NotInstalled != 2 {
		t.Errorf("status of needed update = %+v, want 2 needed", s)
	}
	_, err = f.svc.Updates(ctx, admin.UpdateFilter{Limit: -1})
	wantCode(t, "Updates(limit -1)", err, patchbay.EInvalid)
}

func TestUpdate(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	ids := f.addUpdates(t, 1, 50)
	d, err := f.svc.Update(ctx, ids[0])
	if err != nil {
		t.Fatalf("Update = %v", err)
	}
	r := storetest.Record(1).Revision
	if d.UpdateID != ids[0] || d.Title != r.Localized[0].Title || d.Description == "" || len(d.Files) != 2 ||
		len(d.Supersedes) != 3 || !d.Deployable || len(d.Languages) != 2 || d.Files[0].SHA1 == "" {
		t.Errorf("Update(%s) = %+v", ids[0], d)
	}
	c, err := f.svc.Update(ctx, ids[1])
	if err != nil || c.Type != string(patchbay.TypeCategory) {
		t.Errorf("Update(category) = %+v, %v", c, err)
	}
	_, err = f.svc.Update(ctx, storetest.GUID(12345))
	wantCode(t, "Update(unknown)", err, patchbay.ENotFound)
	_, err = f.svc.Update(ctx, "KB1")
	wantCode(t, "Update(bad id)", err, patchbay.EInvalid)
}
