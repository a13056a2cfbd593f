package admin

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"patchbay"
)

// maxGroupName is the longest target group name accepted, as in WSUS.
const maxGroupName = 256

// Group is a computer target group in the group tree.
type Group struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	ParentID string `json:"parentId,omitempty"`
	// BuiltIn marks All Computers and Unassigned Computers, which cannot be
	// deleted or renamed.
	BuiltIn bool `json:"builtIn,omitempty"`
	// Computers counts the computers in the group: for All Computers every
	// computer, for Unassigned Computers those assigned to no group, for the
	// others those assigned to it directly.
	Computers int `json:"computers"`
	// Children are the child groups ordered by name.
	Children []Group `json:"children,omitempty"`
}

// isBuiltIn reports whether id names a built-in group.
func isBuiltIn(id string) bool {
	return id == patchbay.AllComputersGroupID || id == patchbay.UnassignedComputersGroupID
}

// Groups returns the target group tree: normally one root, All Computers,
// with Unassigned Computers and the administrators' groups below it.
func (s *Service) Groups(ctx context.Context) ([]Group, error) {
	gs, err := s.Store.Groups(ctx)
	if err != nil {
		return nil, fmt.Errorf("list target groups: %w", err)
	}
	cs, err := s.Store.Computers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list target groups: %w", err)
	}
	counts := map[string]int{patchbay.AllComputersGroupID: len(cs)}
	for _, c := range cs {
		ids := assignedGroups(c)
		if len(ids) == 0 {
			counts[patchbay.UnassignedComputersGroupID]++
		}
		for _, id := range ids {
			counts[id]++
		}
	}
	children := map[string][]patchbay.TargetGroup{}
	known := map[string]bool{}
	for _, g := range gs {
		known[g.ID] = true
	}
	var roots []patchbay.TargetGroup
	for _, g := range gs {
		if g.ParentID == "" || !known[g.ParentID] || g.ParentID == g.ID {
			roots = append(roots, g)
			continue
		}
		children[g.ParentID] = append(children[g.ParentID], g)
	}
	var build func(g patchbay.TargetGroup, depth int) Group
	build = func(g patchbay.TargetGroup, depth int) Group {
		n := Group{ID: g.ID, Name: g.Name, ParentID: g.ParentID, BuiltIn: isBuiltIn(g.ID), Computers: counts[g.ID]}
		if depth > len(gs) { // a cycle; the store should never hold one
			return n
		}
		for _, c := range sortedByName(children[g.ID]) {
			n.Children = append(n.Children, build(c, depth+1))
		}
		return n
	}
	tree := []Group{}
	for _, r := range sortedByName(roots) {
		tree = append(tree, build(r, 0))
	}
	return tree, nil
}

// sortedByName orders groups as the WSUS console does, All Computers and
// Unassigned Computers first, then by name without case.
func sortedByName(gs []patchbay.TargetGroup) []patchbay.TargetGroup {
	gs = slices.Clone(gs)
	rank := func(g patchbay.TargetGroup) int {
		switch g.ID {
		case patchbay.AllComputersGroupID:
			return 0
		case patchbay.UnassignedComputersGroupID:
			return 1
		}
		return 2
	}
	slices.SortFunc(gs, func(a, b patchbay.TargetGroup) int {
		if r := rank(a) - rank(b); r != 0 {
			return r
		}
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return gs
}

// CreateGroup adds a target group named name under parent, a group name or
// id; an empty parent means All Computers. It returns EInvalid for an empty,
// overlong or control-character name and for a parent of Unassigned
// Computers, ENotFound for an unknown parent and EConflict when the name is
// taken (names are compared without case).
func (s *Service) CreateGroup(ctx context.Context, name, parent string) (Group, error) {
	name = strings.TrimSpace(name)
	if err := validGroupName(name); err != nil {
		return Group{}, err
	}
	gs, err := s.Store.Groups(ctx)
	if err != nil {
		return Group{}, fmt.Errorf("create target group: %w", err)
	}
	for _, g := range gs {
		if strings.EqualFold(g.Name, name) {
			return Group{}, patchbay.Errorf(patchbay.EConflict, "target group %q already exists", g.Name)
		}
	}
	parentID := patchbay.AllComputersGroupID
	if strings.TrimSpace(parent) != "" {
		p, err := findGroup(gs, parent)
		if err != nil {
			return Group{}, err
		}
		if p.ID == patchbay.UnassignedComputersGroupID {
			return Group{}, patchbay.Errorf(patchbay.EInvalid, "groups cannot be created under Unassigned Computers")
		}
		parentID = p.ID
	}
	g, err := s.Store.CreateGroup(ctx, patchbay.TargetGroup{Name: name, ParentID: parentID})
	if err != nil {
		if patchbay.ErrorCode(err) == patchbay.EConflict {
			// Lost a race with another administrator.
			return Group{}, patchbay.Errorf(patchbay.EConflict, "target group %q already exists", name)
		}
		return Group{}, err
	}
	s.changed()
	return Group{ID: g.ID, Name: g.Name, ParentID: g.ParentID}, nil
}

func validGroupName(name string) error {
	switch {
	case name == "":
		return patchbay.Errorf(patchbay.EInvalid, "target group name is empty")
	case len([]rune(name)) > maxGroupName:
		return patchbay.Errorf(patchbay.EInvalid, "target group name is longer than %d characters", maxGroupName)
	case strings.ContainsFunc(name, unicode.IsControl):
		return patchbay.Errorf(patchbay.EInvalid, "target group name %q contains control characters", name)
	}
	return nil
}

// DeleteGroup removes the target group named by ref (a name or id) with its
// approvals; its computers fall back to Unassigned Computers when they are in
// no other group. It returns EInvalid for the built-in groups, ENotFound for
// an unknown group and EConflict while the group has child groups.
func (s *Service) DeleteGroup(ctx context.Context, ref string) error {
	gs, err := s.Store.Groups(ctx)
	if err != nil {
		return fmt.Errorf("delete target group: %w", err)
	}
	g, err := findGroup(gs, ref)
	if err != nil {
		return err
	}
	if isBuiltIn(g.ID) {
		return patchbay.Errorf(patchbay.EInvalid, "built-in target group %q cannot be deleted", g.Name)
	}
	var kids []string
	for _, c := range gs {
		if c.ParentID == g.ID {
			kids = append(kids, c.Name)
		}
	}
	if len(kids) > 0 {
		return patchbay.Errorf(patchbay.EConflict, "target group %q has child groups (%s); delete them first",
			g.Name, strings.Join(kids, ", "))
	}
	// Computers only in this group fall back to Unassigned Computers, as in
	// WSUS; the store drops their membership row with the group.
	cs, err := s.Store.Computers(ctx)
	if err != nil {
		return fmt.Errorf("delete target group: %w", err)
	}
	var orphans []string
	for _, c := range cs {
		if ids := assignedGroups(c); len(ids) == 1 && ids[0] == g.ID {
			orphans = append(orphans, c.ID)
		}
	}
	if err := s.Store.DeleteGroup(ctx, g.ID); err != nil {
		return err
	}
	defer s.changed()
	for _, id := range orphans {
		if err := s.Store.SetComputerGroups(ctx, id, nil); err != nil && patchbay.ErrorCode(err) != patchbay.ENotFound {
			return fmt.Errorf("move computer %s to Unassigned Computers: %w", id, err)
		}
	}
	return nil
}

// findGroup returns the group whose id or name (compared without case)
// is ref, or an ENotFound error.
func findGroup(gs []patchbay.TargetGroup, ref string) (patchbay.TargetGroup, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return patchbay.TargetGroup{}, patchbay.Errorf(patchbay.EInvalid, "target group is empty")
	}
	id := strings.ToLower(strings.Trim(ref, "{}"))
	for _, g := range gs {
		if g.ID == id {
			return g, nil
		}
	}
	for _, g := range gs {
		if strings.EqualFold(g.Name, ref) {
			return g, nil
		}
	}
	return patchbay.TargetGroup{}, patchbay.Errorf(patchbay.ENotFound, "target group %q not found", ref)
}

// groupNames maps group ids to names.
func groupNames(gs []patchbay.TargetGroup) map[string]string {
	m := make(map[string]string, len(gs))
	for _, g := range gs {
		m[g.ID] = g.Name
	}
	return m
}
