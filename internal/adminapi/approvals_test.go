package adminapi_test

import (
	"testing"

	"patchbay"
	"patchbay/internal/admin"
)

func TestApprovalsEndpoints(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	ids := f.addUpdates(t, 1, 2, 50)
	if _, err := f.client.CreateGroup(ctx, "Servers", ""); err != nil {
		t.Fatal(err)
	}
	a, err := f.client.Approve(ctx, admin.ApproveRequest{UpdateID: ids[0], Group: "Servers", Action: "install", Deadline: "2030-01-02T03:04:05Z"})
	if err != nil || a.Action != "install" || a.Group != "Servers" || a.Deadline.Year() != 2030 || a.AdminName != "api" {
		t.Fatalf("Approve = %+v, %v", a, err)
	}
	if _, err := f.client.Approve(ctx, admin.ApproveRequest{UpdateID: ids[1], Group: "All Computers", Action: "install"}); err != nil {
		t.Fatal(err)
	}
	as, err := f.client.Approvals(ctx, admin.ApprovalFilter{})
	if err != nil || len(as) != 2 {
		t.Fatalf("Approvals() = %+v, %v", as, err)
	}
	as, err = f.client.Approvals(ctx, admin.ApprovalFilter{Group: "servers"})
	if err != nil || len(as) != 1 || as[0].UpdateID != ids[0] {
		t.Errorf("Approvals(servers) = %+v, %v", as, err)
	}
	_, err = f.client.Approve(ctx, admin.ApproveRequest{UpdateID: ids[2], Group: "Servers", Action: "install"})
	wantError(t, "Approve(category)", err, patchbay.EInvalid, "category")
	_, err = f.client.Approve(ctx, admin.ApproveRequest{UpdateID: ids[0], Group: "Servers", Action: "deploy"})
	wantError(t, "Approve(bad action)", err, patchbay.EInvalid, `unknown approval action "deploy"`)
	_, err = f.client.Approvals(ctx, admin.ApprovalFilter{Group: "Nowhere"})
	wantError(t, "Approvals(unknown group)", err, patchbay.ENotFound, "Nowhere")

	if err := f.client.Unapprove(ctx, ids[0], "Servers"); err != nil {
		t.Fatalf("Unapprove = %v", err)
	}
	err = f.client.Unapprove(ctx, ids[0], "Servers")
	wantError(t, "Unapprove(again)", err, patchbay.ENotFound, "not approved")
	code, body, _ := f.raw(t, "DELETE", "/api/v1/approvals?updateId="+ids[1], "")
	if code != 400 || body["code"] != "invalid" {
		t.Errorf("DELETE /approvals without group = %d %v", code, body)
	}
	code, body, _ = f.raw(t, "POST", "/api/v1/approvals", `{"updateId":"`+ids[1]+`","group":"Servers","action":"install","dead_line":"x"}`)
	if code != 400 || body["message"] != `request body has unknown field "dead_line"` {
		t.Errorf("POST /approvals with misspelt field = %d %v", code, body)
	}
}
