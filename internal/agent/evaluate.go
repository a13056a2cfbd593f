package agent

import (
	"slices"
	"strings"
	"time"

	"patchbay/internal/wusp"
)

// ScanResult is the outcome of a scan: every software and driver update
// the server deployed to this client (bundle members are folded into their
// bundle), with its applicability.
type ScanResult struct {
	Time    time.Time     `json:"time"`
	Updates []UpdateState `json:"updates"`
}

// UpdateState is the applicability of one deployed update on this machine.
type UpdateState struct {
	UpdateID       string     `json:"updateId"`
	RevisionNumber int32      `json:"revisionNumber"`
	RevisionID     int32      `json:"revisionId"`
	Title          string     `json:"title,omitempty"`
	Type           string     `json:"type"`
	Action         string     `json:"action"`
	Deadline       *time.Time `json:"deadline,omitempty"`
	Installed      string     `json:"installed"`
	Installable    string     `json:"installable"`
	// SupersededBy names the installed or needed update that supersedes
	// this one, which is then not needed.
	SupersededBy string `json:"supersededBy,omitempty"`
	// Needed: an Install or OptionalInstall deployment that is
	// installable and not installed.
	Needed bool `json:"needed,omitempty"`
	// Remove: an Uninstall deployment of an installed update.
	Remove bool `json:"remove,omitempty"`
	// Leaves are the revision ids carrying the files and the install
	// (the bundle's members, or the update itself).
	Leaves  []int32  `json:"leaves,omitempty"`
	Unknown []string `json:"unknown,omitempty"`
}

// Needed returns the updates to install.
func (r *ScanResult) Needed() []UpdateState {
	return r.filter(func(u UpdateState) bool { return u.Needed })
}

// ToRemove returns the updates to uninstall.
func (r *ScanResult) ToRemove() []UpdateState {
	return r.filter(func(u UpdateState) bool { return u.Remove })
}

// InstalledUpdates returns the updates evaluated installed.
func (r *ScanResult) InstalledUpdates() []UpdateState {
	return r.filter(func(u UpdateState) bool { return u.Installed == True.String() })
}

func (r *ScanResult) filter(keep func(UpdateState) bool) []UpdateState {
	var out []UpdateState
	if r == nil {
		return nil
	}
	for _, u := range r.Updates {
		if keep(u) {
			out = append(out, u)
		}
	}
	return out
}

// evaluator evaluates the cached revisions once per scan.
type evaluator struct {
	inv      Inventory
	s        *ServerState
	verdicts map[int32]Verdict
	byUpdate map[string]*Revision // highest cached revision of each update
}

func newEvaluator(inv Inventory, s *ServerState) *evaluator {
	e := &evaluator{inv: inv, s: s, verdicts: map[int32]Verdict{}}
	e.index()
	return e
}

func (e *evaluator) index() {
	e.byUpdate = map[string]*Revision{}
	for _, r := range e.s.Revisions {
		if o, ok := e.byUpdate[r.UpdateID]; !ok || r.RevisionNumber > o.RevisionNumber {
			e.byUpdate[r.UpdateID] = r
		}
	}
}

// forget drops cached verdicts (after an install changed the machine).
func (e *evaluator) forget() { e.verdicts = map[int32]Verdict{}; e.index() }

// verdict returns the verdict of r. Categories have no rules and count as
// installed, as WUA reports them, so that the updates that need them as
// prerequisites arrive (protocol-wusp.md §5.2). A bundle is installed when
// its cached members are (MS-WUSP §3.1.1) and installable when one of them
// is.
func (e *evaluator) verdict(r *Revision) Verdict {
	if v, ok := e.verdicts[r.ID]; ok {
		return v
	}
	e.verdicts[r.ID] = Verdict{Installed: Unknown, Installable: Unknown, Superseded: Unknown} // breaks cycles
	var v Verdict
	if r.Type == TypeCategory {
		v = Verdict{Installed: True, Installable: False, Superseded: False}
	} else {
		var err error
		v, err = e.inv.Evaluate([]byte(r.Core))
		if err != nil {
			v = Verdict{Installed: Unknown, Installable: Unknown, Superseded: Unknown, Unknown: []string{err.Error()}}
		}
	}
	if len(r.Bundled) > 0 {
		var leaves []Verdict
		anyInstallable := false
		for _, id := range r.Bundled {
			// A member the server did not send has prerequisites this
			// machine lacks (another architecture, say): it does not apply.
			m, ok := e.byUpdate[id]
			if !ok {
				continue
			}
			lv := e.verdict(m)
			leaves = append(leaves, lv)
			anyInstallable = anyInstallable || (lv.Installable == True && lv.Installed != True)
		}
		v.Installed = e.inv.BundleInstalled(leaves)
		if v.Installable == True && !anyInstallable {
			v.Installable = False
		}
	}
	e.verdicts[r.ID] = v
	return v
}

// leaves returns the revisions that carry r's files: its bundled members
// (recursively), or r itself.
func (e *evaluator) leaves(r *Revision) []*Revision {
	if len(r.Bundled) == 0 {
		return []*Revision{r}
	}
	var out []*Revision
	seen := map[string]bool{}
	var walk func(*Revision, int)
	walk = func(b *Revision, depth int) {
		for _, id := range b.Bundled {
			m, ok := e.byUpdate[id]
			if !ok || seen[id] || depth > 8 {
				continue
			}
			seen[id] = true
			if len(m.Bundled) > 0 {
				walk(m, depth+1)
			} else {
				out = append(out, m)
			}
		}
	}
	walk(r, 0)
	return out
}

// members returns the update ids that are members of a cached bundle.
func (e *evaluator) members() map[string]bool {
	m := map[string]bool{}
	for _, r := range e.s.Revisions {
		for _, id := range r.Bundled {
			m[id] = true
		}
	}
	return m
}

// result evaluates every deployed software and driver update that is not a
// bundle member.
func (e *evaluator) result(now time.Time) *ScanResult {
	res := &ScanResult{Time: now}
	members := e.members()
	for _, r := range e.byUpdate {
		if (r.Type != TypeSoftware && r.Type != TypeDriver) || members[r.UpdateID] {
			continue
		}
		v := e.verdict(r)
		u := UpdateState{UpdateID: r.UpdateID, RevisionNumber: r.RevisionNumber, RevisionID: r.ID, Title: r.Title,
			Type: r.Type, Installed: v.Installed.String(), Installable: v.Installable.String(), Unknown: v.Unknown}
		if d := r.Deployment; d != nil {
			u.Action = d.Action
			if t, ok := parseDeadline(d.Deadline); ok {
				u.Deadline = &t
			}
		}
		switch u.Action {
		case wusp.ActionInstall, wusp.ActionOptionalInstall:
			u.Needed = v.Installed != True && v.Installable == True && v.Superseded != True
		case wusp.ActionUninstall:
			u.Remove = v.Installed == True
		}
		for _, l := range e.leaves(r) {
			u.Leaves = append(u.Leaves, l.ID)
		}
		slices.Sort(u.Leaves)
		res.Updates = append(res.Updates, u)
	}
	// An update superseded by one that is installed or about to be is not
	// offered: WUA installs the newest of a supersedence chain.
	by := map[string]string{}
	for _, u := range res.Updates {
		if u.Installed == True.String() || u.Needed {
			for _, old := range e.byUpdate[u.UpdateID].Supersedes {
				by[old] = u.UpdateID
			}
		}
	}
	for i := range res.Updates {
		if s, ok := by[res.Updates[i].UpdateID]; ok && res.Updates[i].Needed {
			res.Updates[i].Needed, res.Updates[i].SupersededBy = false, s
		}
	}
	slices.SortFunc(res.Updates, func(a, b UpdateState) int { return strings.Compare(a.UpdateID, b.UpdateID) })
	return res
}

// statusLists returns the U (applicable, not installed) and V (installed)
// lists of event 156: upper-case update ids, bundle roots included and
// their members excluded (protocol-wusp.md §8.3). Drivers are listed too
// (the captures had none to show): without them the server could show no
// state for the drivers it offered.
func (r *ScanResult) statusLists() (u, v []string) {
	for _, x := range r.Updates {
		if x.Type != TypeSoftware && x.Type != TypeDriver {
			continue
		}
		switch {
		case x.Installed == True.String():
			v = append(v, strings.ToUpper(x.UpdateID))
		case x.Installable == True.String():
			u = append(u, strings.ToUpper(x.UpdateID))
		}
	}
	return u, v
}

// parseDeadline parses a Deployment/Deadline (s:dateTime syntax, MS-WUSP
// §2.2.2.2.4).
func parseDeadline(s string) (time.Time, bool) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, false
	}
	var d wusp.DateTime
	if err := d.UnmarshalText([]byte(s)); err != nil || d.IsZero() {
		return time.Time{}, false
	}
	return d.Time, true
}
