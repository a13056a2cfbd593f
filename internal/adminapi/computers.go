package adminapi

import (
	"context"
	"net/http"
	"net/url"

	"patchbay/internal/admin"
)

// SetGroupsRequest is the body of PUT /api/v1/computers/{id}/groups.
type SetGroupsRequest struct {
	// Groups are the names or ids of the groups the computer is to be in;
	// ["Unassigned Computers"] removes every assignment.
	Groups []string `json:"groups"`
}

// computersResponse is the body of GET /api/v1/computers.
type computersResponse struct {
	Computers []admin.Computer `json:"computers"`
}

// listComputers is GET /api/v1/computers.
func (s *Server) listComputers(w http.ResponseWriter, r *http.Request) {
	cs, err := s.svc.Computers(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, computersResponse{Computers: cs})
}

// setComputerGroups is PUT /api/v1/computers/{id}/groups, where id may also
// be the computer's DNS name: 200 with the computer as it now is.
func (s *Server) setComputerGroups(w http.ResponseWriter, r *http.Request) {
	var req SetGroupsRequest
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.svc.MoveComputer(r.Context(), r.PathValue("id"), req.Groups)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// Computers lists the computers (GET /api/v1/computers).
func (c *Client) Computers(ctx context.Context) ([]admin.Computer, error) {
	var resp computersResponse
	if err := c.do(ctx, http.MethodGet, "computers", nil, nil, &resp); err != nil {
		return nil, err
	}
	return resp.Computers, nil
}

// SetComputerGroups assigns the computer named by ref (id or DNS name) to
// exactly groups (PUT /api/v1/computers/{id}/groups).
func (c *Client) SetComputerGroups(ctx context.Context, ref string, groups []string) (admin.Computer, error) {
	var out admin.Computer
	err := c.do(ctx, http.MethodPut, "computers/"+url.PathEscape(ref)+"/groups", nil, SetGroupsRequest{Groups: groups}, &out)
	return out, err
}
