package adminapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"patchbay"
	"patchbay/internal/admin"
)

// updatesResponse is the body of GET /api/v1/updates.
type updatesResponse struct {
	Updates []admin.Update `json:"updates"`
}

// listUpdates is GET /api/v1/updates?q=&classification=&approved=&needed=&limit=&offset=.
// approved and needed take true/false (also yes/no, 1/0); "any" or empty
// means no filter.
func (s *Server) listUpdates(w http.ResponseWriter, r *http.Request) {
	f, err := updateFilter(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	us, err := s.svc.Updates(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, updatesResponse{Updates: us})
}

// getUpdate is GET /api/v1/updates/{id}.
func (s *Server) getUpdate(w http.ResponseWriter, r *http.Request) {
	u, err := s.svc.Update(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func updateFilter(q url.Values) (admin.UpdateFilter, error) {
	f := admin.UpdateFilter{Text: q.Get("q"), Classification: q.Get("classification")}
	approved, err := boolParam(q, "approved")
	if err != nil {
		return f, err
	}
	f.Approved = approved
	needed, err := boolParam(q, "needed")
	if err != nil {
		return f, err
	}
	f.Needed = needed != nil && *needed
	for name, p := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return f, patchbay.Errorf(patchbay.EInvalid, "%s=%q: want a number of 0 or more", name, v)
			}
			*p = n
		}
	}
	return f, nil
}

// boolParam parses an optional boolean query parameter.
func boolParam(q url.Values, name string) (*bool, error) {
	v := strings.ToLower(strings.TrimSpace(q.Get(name)))
	var b bool
	switch v {
	case "", "any", "all":
		return nil, nil
	case "true", "yes", "1":
		b = true
	case "false", "no", "0":
		b = false
	default:
		return nil, patchbay.Errorf(patchbay.EInvalid, "%s=%q: want true, false or any", name, q.Get(name))
	}
	return &b, nil
}

// Updates lists updates (GET /api/v1/updates).
func (c *Client) Updates(ctx context.Context, f admin.UpdateFilter) ([]admin.Update, error) {
	q := url.Values{}
	if f.Text != "" {
		q.Set("q", f.Text)
	}
	if f.Classification != "" {
		q.Set("classification", f.Classification)
	}
	if f.Approved != nil {
		q.Set("approved", strconv.FormatBool(*f.Approved))
	}
	if f.Needed {
		q.Set("needed", "true")
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	if f.Offset > 0 {
		q.Set("offset", strconv.Itoa(f.Offset))
	}
	var resp updatesResponse
	if err := c.do(ctx, http.MethodGet, "updates", q, nil, &resp); err != nil {
		return nil, err
	}
	return resp.Updates, nil
}

// Update returns one update with its details (GET /api/v1/updates/{id}).
func (c *Client) Update(ctx context.Context, id string) (admin.UpdateDetail, error) {
	var u admin.UpdateDetail
	err := c.do(ctx, http.MethodGet, "updates/"+url.PathEscape(id), nil, nil, &u)
	return u, err
}
