package admin

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"patchbay"
)

// Computer is a client computer as an administrator sees it.
type Computer struct {
	ID   string `json:"id"`
	Name string `json:"name"` // DNS name
	// Groups are the groups the computer is assigned to, or Unassigned
	// Computers when it has none.
	Groups []GroupRef `json:"groups"`
	// ClaimedGroups are the group names the client asked for through
	// client-side targeting, if any.
	ClaimedGroups []string  `json:"claimedGroups,omitempty"`
	OS            string    `json:"os"`
	ClientVersion string    `json:"clientVersion,omitempty"`
	Make          string    `json:"make,omitempty"`
	Model         string    `json:"model,omitempty"`
	Registered    bool      `json:"registered"`
	FirstSeen     time.Time `json:"firstSeen,omitzero"`
	LastContact   time.Time `json:"lastContact,omitzero"`
	LastSync      time.Time `json:"lastSync,omitzero"`
	LastReport    time.Time `json:"lastReport,omitzero"`
}

// GroupRef names a target group.
type GroupRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Computers returns every known computer with its group names, ordered by
// name.
func (s *Service) Computers(ctx context.Context) ([]Computer, error) {
	cs, err := s.Store.Computers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list computers: %w", err)
	}
	gs, err := s.Store.Groups(ctx)
	if err != nil {
		return nil, fmt.Errorf("list computers: %w", err)
	}
	names := groupNames(gs)
	out := make([]Computer, 0, len(cs))
	for _, c := range cs {
		out = append(out, computerView(c, names))
	}
	slices.SortFunc(out, func(a, b Computer) int {
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// MoveComputer assigns the computer named by ref (its id or DNS name) to
// exactly the target groups named (by name or id), replacing its previous
// assignment, as the WSUS console's "Change Membership" does. Naming only
// Unassigned Computers removes every assignment. It returns EInvalid for an
// empty group list, All Computers (every computer is in it) or Unassigned
// Computers mixed with other groups, and ENotFound for an unknown computer
// or group.
func (s *Service) MoveComputer(ctx context.Context, ref string, groups []string) (Computer, error) {
	if len(groups) == 0 {
		return Computer{}, patchbay.Errorf(patchbay.EInvalid, "name at least one target group (Unassigned Computers removes the assignment)")
	}
	c, err := s.findComputer(ctx, ref)
	if err != nil {
		return Computer{}, err
	}
	gs, err := s.Store.Groups(ctx)
	if err != nil {
		return Computer{}, fmt.Errorf("move computer: %w", err)
	}
	var ids []string
	unassign := false
	for _, ref := range groups {
		g, err := findGroup(gs, ref)
		if err != nil {
			return Computer{}, err
		}
		switch g.ID {
		case patchbay.AllComputersGroupID:
			return Computer{}, patchbay.Errorf(patchbay.EInvalid, "every computer is in All Computers; choose another group")
		case patchbay.UnassignedComputersGroupID:
			unassign = true
		default:
			if !slices.Contains(ids, g.ID) {
				ids = append(ids, g.ID)
			}
		}
	}
	if unassign && len(ids) > 0 {
		return Computer{}, patchbay.Errorf(patchbay.EInvalid, "a computer cannot be in Unassigned Computers and another group")
	}
	if err := s.Store.SetComputerGroups(ctx, c.ID, ids); err != nil {
		return Computer{}, err
	}
	s.changed()
	c.GroupIDs = ids
	return computerView(c, groupNames(gs)), nil
}

// findComputer returns the computer whose id or DNS name is ref; a short
// name (the first label of a DNS name) is accepted when it is unambiguous.
func (s *Service) findComputer(ctx context.Context, ref string) (patchbay.Computer, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return patchbay.Computer{}, patchbay.Errorf(patchbay.EInvalid, "computer is empty")
	}
	c, err := s.Store.Computer(ctx, strings.ToLower(ref))
	if err == nil {
		return c, nil
	}
	if patchbay.ErrorCode(err) != patchbay.ENotFound {
		return patchbay.Computer{}, err
	}
	cs, err := s.Store.Computers(ctx)
	if err != nil {
		return patchbay.Computer{}, fmt.Errorf("find computer: %w", err)
	}
	var exact, short []patchbay.Computer
	for _, c := range cs {
		switch {
		case strings.EqualFold(c.DNSName, ref):
			exact = append(exact, c)
		case strings.EqualFold(strings.Split(c.DNSName, ".")[0], ref):
			short = append(short, c)
		}
	}
	matches := exact
	if len(matches) == 0 {
		matches = short
	}
	switch len(matches) {
	case 0:
		return patchbay.Computer{}, patchbay.Errorf(patchbay.ENotFound, "computer %q not found", ref)
	case 1:
		return matches[0], nil
	}
	ids := make([]string, len(matches))
	for i, m := range matches {
		ids[i] = m.ID
	}
	return patchbay.Computer{}, patchbay.Errorf(patchbay.EConflict, "%d computers are named %q (%s); use the id",
		len(matches), ref, strings.Join(ids, ", "))
}

// assignedGroups returns the groups an administrator assigned c to, without
// the built-in ones (every computer is in All Computers; Unassigned
// Computers means none).
func assignedGroups(c patchbay.Computer) []string {
	var ids []string
	for _, id := range c.GroupIDs {
		if !isBuiltIn(id) {
			ids = append(ids, id)
		}
	}
	return ids
}

func computerView(c patchbay.Computer, names map[string]string) Computer {
	v := Computer{
		ID: c.ID, Name: c.DNSName, ClaimedGroups: c.ClaimedGroupNames, OS: osName(c),
		ClientVersion: c.ClientVersion, Make: c.ComputerManufacturer, Model: c.ComputerModel,
		Registered: c.Registered, FirstSeen: c.FirstSeen, LastContact: c.LastContact, LastSync: c.LastSync,
		LastReport: c.LastReport, Groups: []GroupRef{},
	}
	for _, id := range assignedGroups(c) {
		name := names[id]
		if name == "" {
			name = id // deleted under us
		}
		v.Groups = append(v.Groups, GroupRef{ID: id, Name: name})
	}
	if len(v.Groups) == 0 {
		v.Groups = append(v.Groups, GroupRef{ID: patchbay.UnassignedComputersGroupID, Name: names[patchbay.UnassignedComputersGroupID]})
	}
	return v
}

// osName describes the computer's operating system the way the WSUS console
// does: the client's own description when it sent one, else its version.
func osName(c patchbay.Computer) string {
	if c.OSDescription != "" {
		return c.OSDescription
	}
	if c.OSMajorVersion == 0 && c.OSBuildNumber == 0 {
		return ""
	}
	v := fmt.Sprintf("Windows %d.%d.%d", c.OSMajorVersion, c.OSMinorVersion, c.OSBuildNumber)
	if c.OSServicePackMajorNumber > 0 {
		v += fmt.Sprintf(" SP%d", c.OSServicePackMajorNumber)
	}
	return v
}
