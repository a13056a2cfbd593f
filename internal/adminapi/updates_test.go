package adminapi_test

import (
	"testing"

	"patchbay"
	"patchbay/internal/admin"
)

func TestUpdatesEndpoints(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	ids := f.addUpdates(t, 1, 2, 3)
	if _, err := f.client.Approve(ctx, admin.ApproveRequest{UpdateID: ids[0], Group: "All Computers", Action: "install"}); err != nil {
		t.Fatal(err)
	}
	us, err := f.client.Updates(ctx, admin.UpdateFilter{})
	if err != nil || len(us) != 3 || us[0].UpdateID != ids[2] {
		t.Fatalf("Updates() = %+v, %v", us, err)
	}
	yes, no := true, false
	if us, err := f.client.Updates(ctx, admin.UpdateFilter{Approved: &yes}); err != nil || len(us) != 1 || us[0].Approvals[0].Group != "All Computers" {
		t.Errorf("Updates(approved) = %+v, %v", us, err)
	}
	if us, err := f.client.Updates(ctx, admin.UpdateFilter{Approved: &no, Text: "KB5000002"}); err != nil || len(us) != 1 || us[0].UpdateID != ids[1] {
		t.Errorf("Updates(not approved, KB5000002) = %+v, %v", us, err)
	}
	if us, err := f.client.Updates(ctx, admin.UpdateFilter{Limit: 2, Offset: 2}); err != nil || len(us) != 1 {
		t.Errorf("Updates(limit 2 offset 2) = %+v, %v", us, err)
	}
	if us, err := f.client.Updates(ctx, admin.UpdateFilter{Needed: true}); err != nil || len(us) != 0 {
		t.Errorf("Updates(needed) = %+v, %v", us, err)
	}
	for _, q := range []string{"approved=maybe", "needed=2", "limit=-1", "offset=x"} {
		code, body, _ := f.raw(t, "GET", "/api/v1/updates?"+q, "")
		if code != 400 || body["code"] != "invalid" {
			t.Errorf("GET /updates?%s = %d %v", q, code, body)
		}
	}
	d, err := f.client.Update(ctx, ids[0])
	if err != nil || d.UpdateID != ids[0] || len(d.Files) != 2 || d.KB != "KB5000001" {
		t.Errorf("Update(%s) = %+v, %v", ids[0], d, err)
	}
	_, err = f.client.Update(ctx, "00000000-0000-0000-0000-00000000abcd")
	wantError(t, "Update(unknown)", err, patchbay.ENotFound, "not found")
	_, err = f.client.Update(ctx, "KB123")
	wantError(t, "Update(bad id)", err, patchbay.EInvalid, "not a GUID")
}
