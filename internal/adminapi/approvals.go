package adminapi

import (
	"context"
	"net/http"
	"net/url"

	"patchbay"
	"patchbay/internal/admin"
)

// adminName is recorded as the author of approvals made through the API:
// the token identifies no person.
const adminName = "api"

// approvalsResponse is the body of GET /api/v1/approvals.
type approvalsResponse struct {
	Approvals []admin.Approval `json:"approvals"`
}

// listApprovals is GET /api/v1/approvals?updateId=&group=.
func (s *Server) listApprovals(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	as, err := s.svc.Approvals(r.Context(), admin.ApprovalFilter{UpdateID: q.Get("updateId"), Group: q.Get("group")})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, approvalsResponse{Approvals: as})
}

// approve is POST /api/v1/approvals with an admin.ApproveRequest: 200 with
// the approval as recorded (action "not-approved" when one was removed).
func (s *Server) approve(w http.ResponseWriter, r *http.Request) {
	var req admin.ApproveRequest
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	req.AdminName = adminName
	a, err := s.svc.Approve(r.Context(), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// unapprove is DELETE /api/v1/approvals?updateId=&group=: 204, or 404 when
// the update is not approved for the group.
func (s *Server) unapprove(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("updateId") == "" || q.Get("group") == "" {
		s.writeError(w, r, patchbay.Errorf(patchbay.EInvalid, "both updateId and group query parameters are required"))
		return
	}
	if err := s.svc.Unapprove(r.Context(), q.Get("updateId"), q.Get("group")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Approvals lists approvals, optionally of one update and/or group (a name
// or id) (GET /api/v1/approvals).
func (c *Client) Approvals(ctx context.Context, f admin.ApprovalFilter) ([]admin.Approval, error) {
	q := url.Values{}
	if f.UpdateID != "" {
		q.Set("updateId", f.UpdateID)
	}
	if f.Group != "" {
		q.Set("group", f.Group)
	}
	var resp approvalsResponse
	if err := c.do(ctx, http.MethodGet, "approvals", q, nil, &resp); err != nil {
		return nil, err
	}
	return resp.Approvals, nil
}

// Approve records an approval decision (POST /api/v1/approvals).
func (c *Client) Approve(ctx context.Context, req admin.ApproveRequest) (admin.Approval, error) {
	var a admin.Approval
	err := c.do(ctx, http.MethodPost, "approvals", nil, req, &a)
	return a, err
}

// Unapprove removes the approval of updateID for group, a name or id
// (DELETE /api/v1/approvals).
func (c *Client) Unapprove(ctx context.Context, updateID, group string) error {
	return c.do(ctx, http.MethodDelete, "approvals", url.Values{"updateId": {updateID}, "group": {group}}, nil, nil)
}
