package refcatalog

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Approval is one entry of approvals.json: an approval a benchmark should
// make, in the vocabulary of the WSUS console.
type Approval struct {
	UpdateID       string
	RevisionNumber int
	Group          string     // always "All Computers"
	Action         string     // always "Install"
	Deadline       *time.Time `json:",omitempty"`
}

// approvals picks Options.Approved deployable revisions (the newest
// revision of bundles, standalone updates and drivers; bundle members are
// not approvable on their own) and encodes them as JSON.
func (g *gen) approvals() (int, []byte, error) {
	latest := map[string]*rev{}
	var order []string
	for _, r := range g.revs {
		switch {
		case r.kind == kindBundle && !r.sw.hidden, r.kind == kindStandalone, r.kind == kindDriver:
		default:
			continue
		}
		if old, ok := latest[r.id]; !ok {
			order = append(order, r.id)
			latest[r.id] = r
		} else if r.num > old.num {
			latest[r.id] = r
		}
	}
	n := min(max(g.opt.Approved, 0), len(order))
	// A partial Fisher-Yates shuffle with the catalog's generator picks n.
	for i := 0; i < n; i++ {
		j := i + g.rng.IntN(len(order)-i)
		order[i], order[j] = order[j], order[i]
	}
	chosen := order[:n]
	pos := make(map[string]int, len(g.revs))
	for i, r := range g.revs {
		pos[r.id] = i
	}
	slices.SortFunc(chosen, func(a, b string) int { return pos[a] - pos[b] })
	list := make([]Approval, 0, n)
	for _, id := range chosen {
		r := latest[id]
		a := Approval{UpdateID: r.id, RevisionNumber: r.num, Group: "All Computers", Action: "Install"}
		if g.rng.IntN(5) == 0 {
			d := r.created.AddDate(0, 0, 7+g.rng.IntN(21)).Truncate(time.Hour)
			a.Deadline = &d
		}
		list = append(list, a)
	}
	data, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return 0, nil, fmt.Errorf("refcatalog: encode approvals: %w", err)
	}
	return n, append(data, '\n'), nil
}
