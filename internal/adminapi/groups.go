package adminapi

import (
	"context"
	"net/http"
	"net/url"

	"patchbay/internal/admin"
)

// CreateGroupRequest is the body of POST /api/v1/groups.
type CreateGroupRequest struct {
	Name string `json:"name"`
	// Parent is the parent group's name or id; empty means All Computers.
	Parent string `json:"parent,omitempty"`
}

// groupsResponse is the body of GET /api/v1/groups.
type groupsResponse struct {
	Groups []admin.Group `json:"groups"`
}

// listGroups is GET /api/v1/groups: the group tree with computer counts.
func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) {
	gs, err := s.svc.Groups(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, groupsResponse{Groups: gs})
}

// createGroup is POST /api/v1/groups: 201 with the new group.
func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) {
	var req CreateGroupRequest
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	g, err := s.svc.CreateGroup(r.Context(), req.Name, req.Parent)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", Prefix+"groups/"+url.PathEscape(g.ID))
	writeJSON(w, http.StatusCreated, g)
}

// deleteGroup is DELETE /api/v1/groups/{id}, where id may also be the
// group's name: 204 on success.
func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteGroup(r.Context(), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Groups returns the target group tree (GET /api/v1/groups).
func (c *Client) Groups(ctx context.Context) ([]admin.Group, error) {
	var resp groupsResponse
	if err := c.do(ctx, http.MethodGet, "groups", nil, nil, &resp); err != nil {
		return nil, err
	}
	return resp.Groups, nil
}

// CreateGroup creates a target group under parent (a name or id; empty
// means All Computers) (POST /api/v1/groups).
func (c *Client) CreateGroup(ctx context.Context, name, parent string) (admin.Group, error) {
	var g admin.Group
	err := c.do(ctx, http.MethodPost, "groups", nil, CreateGroupRequest{Name: name, Parent: parent}, &g)
	return g, err
}

// DeleteGroup deletes the target group named by ref, a name or id
// (DELETE /api/v1/groups/{id}).
func (c *Client) DeleteGroup(ctx context.Context, ref string) error {
	return c.do(ctx, http.MethodDelete, "groups/"+url.PathEscape(ref), nil, nil, nil)
}
