package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"patchbay"
	"patchbay/internal/store"
)

// t0 is the base time of the computer, event and status tests.
var t0 = time.Date(2026, 10, 4, 15, 20, 47, 397_000_000, time.UTC)

// ComputerID returns a deterministic lower-case client id for n.
func ComputerID(n int) string { return GUID(9_000_000 + n) }

// mustTouch creates (or touches) a computer.
func mustTouch(t *testing.T, b Backend, id, dns string, at time.Time) {
	t.Helper()
	if _, err := b.TouchComputer(t.Context(), id, dns, nil, at); err != nil {
		t.Fatalf("TouchComputer(%s) = %v", id, err)
	}
}

func mustComputer(t *testing.T, b Backend, id string) patchbay.Computer {
	t.Helper()
	c, err := b.Computer(t.Context(), id)
	if err != nil {
		t.Fatalf("Computer(%s) = %v", id, err)
	}
	return c
}

func testTouchComputer(t *testing.T, b Backend) {
	ctx := t.Context()
	id := "E1DA06A3-5601-43C9-BAC3-52D5DB701494"
	created, err := b.TouchComputer(ctx, id, "pc1.example.test", []string{"Servers"}, t0)
	if err != nil || !created {
		t.Fatalf("TouchComputer(new) = %v, %v; want true, nil", created, err)
	}
	want := patchbay.Computer{
		ID: "e1da06a3-5601-43c9-bac3-52d5db701494", DNSName: "pc1.example.test",
		GroupIDs: []string{patchbay.UnassignedComputersGroupID}, ClaimedGroupNames: []string{"Servers"},
		FirstSeen: t0, LastContact: t0,
	}
	if diff := cmp.Diff(want, mustComputer(t, b, id)); diff != "" {
		t.Errorf("Computer after first TouchComputer mismatch (-want +got):\n%s", diff)
	}
	// A later touch moves LastContact; an empty name and nil claims keep
	// what is stored; an earlier touch never moves LastContact back.
	created, err = b.TouchComputer(ctx, want.ID, "", nil, t0.Add(time.Hour))
	if err != nil || created {
		t.Fatalf("TouchComputer(existing) = %v, %v; want false, nil", created, err)
	}
	if _, err := b.TouchComputer(ctx, want.ID, "PC1.example.test", []string{}, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	want.LastContact, want.DNSName, want.ClaimedGroupNames = t0.Add(time.Hour), "PC1.example.test", nil
	if diff := cmp.Diff(want, mustComputer(t, b, id)); diff != "" {
		t.Errorf("Computer after later TouchComputer mismatch (-want +got):\n%s", diff)
	}
	_, err = b.TouchComputer(ctx, " ", "x", nil, t0)
	wantCode(t, "TouchComputer(empty id)", err, patchbay.EInvalid)
	_, err = b.Computer(ctx, ComputerID(1))
	wantCode(t, "Computer(unknown)", err, patchbay.ENotFound)

	mustTouch(t, b, ComputerID(2), "alpha.example.test", t0)
	mustTouch(t, b, ComputerID(3), "Beta.example.test", t0)
	cs, err := b.Computers(ctx)
	if err != nil {
		t.Fatalf("Computers() = %v", err)
	}
	var names []string
	for _, c := range cs {
		names = append(names, c.DNSName)
	}
	if diff := cmp.Diff([]string{"alpha.example.test", "Beta.example.test", "PC1.example.test"}, names); diff != "" {
		t.Errorf("Computers() not ordered by DNS name without case (-want +got):\n%s", diff)
	}
	if len(cs) == 3 && !cmp.Equal(cs[2], want) {
		t.Errorf("Computers()[2] = %+v, want %+v", cs[2], want)
	}
}

func testRegisterComputer(t *testing.T, b Backend) {
	ctx := t.Context()
	id := ComputerID(1)
	mustTouch(t, b, id, "old.example.test", t0)
	info := patchbay.Computer{
		ID: id, DNSName: "pc1.example.test", OSMajorVersion: 10, OSBuildNumber: 26200, OSServicePackMajorNumber: 1,
		OSServicePackMinorNumber: 2, OSLocale: "en-US", OSDescription: "Windows 10 Pro", ComputerManufacturer: "QEMU",
		ComputerModel: "Standard PC (Q35 + ICH9, 2009)", BiosVersion: "unknown", BiosName: "unknown",
		BiosReleaseDate: time.Date(2022, 2, 2, 0, 0, 0, 0, time.UTC), ProcessorArchitecture: "AMD64",
		SuiteMask: 256, OldProductType: 1, NewProductType: 48, SystemMetrics: 0, ClientVersion: "1507.2601.30012.0",
		OEM: "QEMU", DeviceType: "desktop", FirmwareVersion: "EDK II", MobileOperator: "Not Present",
		ProtocolVersion: "2.90",
	}
	if err := b.RegisterComputer(ctx, info); err != nil {
		t.Fatalf("RegisterComputer() = %v", err)
	}
	want := info
	want.Registered, want.FirstSeen, want.LastContact = true, t0, t0
	want.GroupIDs = []string{patchbay.UnassignedComputersGroupID}
	if diff := cmp.Diff(want, mustComputer(t, b, id)); diff != "" {
		t.Errorf("Computer after RegisterComputer mismatch (-want +got):\n%s", diff)
	}
	// Re-registration replaces the data; an empty protocol version keeps
	// the stored one.
	info.OSBuildNumber, info.ProtocolVersion = 26201, ""
	if err := b.RegisterComputer(ctx, info); err != nil {
		t.Fatal(err)
	}
	if got := mustComputer(t, b, id); got.OSBuildNumber != 26201 || got.ProtocolVersion != "2.90" {
		t.Errorf("Computer after re-registration = build %d, protocol %q; want 26201, 2.90", got.OSBuildNumber, got.ProtocolVersion)
	}
	// An unknown computer is created, in Unassigned Computers.
	info.ID = ComputerID(2)
	if err := b.RegisterComputer(ctx, info); err != nil {
		t.Fatalf("RegisterComputer(unknown) = %v", err)
	}
	got := mustComputer(t, b, info.ID)
	if !got.Registered || got.FirstSeen.IsZero() || !cmp.Equal(got.GroupIDs, []string{patchbay.UnassignedComputersGroupID}) {
		t.Errorf("RegisterComputer(unknown) stored %+v; want registered, first seen, unassigned", got)
	}
	wantCode(t, "RegisterComputer(empty id)", b.RegisterComputer(ctx, patchbay.Computer{}), patchbay.EInvalid)
}

func testComputerGroups(t *testing.T, b Backend) {
	ctx := t.Context()
	id := ComputerID(1)
	mustTouch(t, b, id, "pc1", t0)
	servers, err := b.CreateGroup(ctx, patchbay.TargetGroup{Name: "Servers"})
	if err != nil {
		t.Fatal(err)
	}
	sql, err := b.CreateGroup(ctx, patchbay.TargetGroup{Name: "SQL", ParentID: servers.ID})
	if err != nil {
		t.Fatal(err)
	}
	groups := func() []string { return mustComputer(t, b, id).GroupIDs }
	if err := b.SetComputerGroups(ctx, id, []string{sql.ID, patchbay.UnassignedComputersGroupID, servers.ID}); err != nil {
		t.Fatalf("SetComputerGroups() = %v", err)
	}
	want := []string{servers.ID, sql.ID}
	if want[0] > want[1] {
		want[0], want[1] = want[1], want[0]
	}
	if diff := cmp.Diff(want, groups()); diff != "" {
		t.Errorf("groups after moving out of Unassigned (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		name   string
		id     string
		groups []string
		code   string
	}{
		{"unknown computer", ComputerID(9), []string{servers.ID}, patchbay.ENotFound},
		{"unknown group", id, []string{servers.ID, GUID(77)}, patchbay.ENotFound},
		{"All Computers", id, []string{patchbay.AllComputersGroupID}, patchbay.EInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, "SetComputerGroups", b.SetComputerGroups(ctx, tc.id, tc.groups), tc.code)
		})
	}
	if diff := cmp.Diff(want, groups()); diff != "" {
		t.Errorf("groups changed by failed SetComputerGroups (-want +got):\n%s", diff)
	}
	// Deleting the last group of a computer puts it back in Unassigned.
	if err := b.SetComputerGroups(ctx, id, []string{sql.ID}); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteGroup(ctx, sql.ID); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{patchbay.UnassignedComputersGroupID}, groups()); diff != "" {
		t.Errorf("groups after deleting the computer's group (-want +got):\n%s", diff)
	}
	if err := b.SetComputerGroups(ctx, id, []string{upper(servers.ID)}); err != nil {
		t.Fatal(err)
	}
	if err := b.SetComputerGroups(ctx, id, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{patchbay.UnassignedComputersGroupID}, groups()); diff != "" {
		t.Errorf("groups after SetComputerGroups(nil) (-want +got):\n%s", diff)
	}
}

func testClientTargeting(t *testing.T, b Backend) {
	ctx := t.Context()
	if mode, err := b.TargetingMode(ctx); err != nil || mode != store.TargetingServer {
		t.Fatalf("TargetingMode() of a new store = %q, %v; want %q", mode, err, store.TargetingServer)
	}
	servers, err := b.CreateGroup(ctx, patchbay.TargetGroup{Name: "Servers"})
	if err != nil {
		t.Fatal(err)
	}
	id := ComputerID(1)
	// Server-side targeting ignores the claims.
	if _, err := b.TouchComputer(ctx, id, "pc1", []string{"servers"}, t0); err != nil {
		t.Fatal(err)
	}
	if got := mustComputer(t, b, id).GroupIDs; !cmp.Equal(got, []string{patchbay.UnassignedComputersGroupID}) {
		t.Errorf("server-side targeting: groups = %v, want Unassigned", got)
	}
	if err := b.SetTargetingMode(ctx, store.TargetingClient); err != nil {
		t.Fatalf("SetTargetingMode(client) = %v", err)
	}
	wantCode(t, "SetTargetingMode(bogus)", b.SetTargetingMode(ctx, "bogus"), patchbay.EInvalid)
	// Client-side: the claimed names that exist, without case; unknown
	// names are ignored; nil claims reuse the stored ones.
	if _, err := b.TouchComputer(ctx, id, "", nil, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := mustComputer(t, b, id).GroupIDs; !cmp.Equal(got, []string{servers.ID}) {
		t.Errorf("client-side targeting with stored claim: groups = %v, want [%s]", got, servers.ID)
	}
	if _, err := b.TouchComputer(ctx, id, "", []string{"Nowhere"}, t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := mustComputer(t, b, id).GroupIDs; !cmp.Equal(got, []string{patchbay.UnassignedComputersGroupID}) {
		t.Errorf("client-side targeting with unknown claim: groups = %v, want Unassigned", got)
	}
	created, err := b.TouchComputer(ctx, ComputerID(2), "pc2", []string{"Nowhere", "SERVERS"}, t0)
	if err != nil || !created {
		t.Fatal(err)
	}
	if got := mustComputer(t, b, ComputerID(2)).GroupIDs; !cmp.Equal(got, []string{servers.ID}) {
		t.Errorf("client-side targeting of a new computer: groups = %v, want [%s]", got, servers.ID)
	}
}

func testNoteContact(t *testing.T, b Backend) {
	ctx := t.Context()
	id := ComputerID(1)
	mustTouch(t, b, id, "pc1", t0)
	steps := []struct {
		kind store.ContactKind
		at   time.Time
	}{
		{store.ContactSync, t0.Add(time.Minute)},
		{store.ContactReport, t0.Add(2 * time.Minute)},
		{store.ContactCall, t0.Add(3 * time.Minute)},
		{store.ContactSync, t0.Add(-time.Hour)}, // late and older: moves nothing back
	}
	for _, s := range steps {
		if err := b.NoteContact(ctx, upper(id), s.kind, s.at); err != nil {
			t.Fatalf("NoteContact(%v, %v) = %v", s.kind, s.at, err)
		}
	}
	c := mustComputer(t, b, id)
	if !c.LastContact.Equal(t0.Add(3*time.Minute)) || !c.LastSync.Equal(t0.Add(time.Minute)) ||
		!c.LastReport.Equal(t0.Add(2*time.Minute)) || !c.FirstSeen.Equal(t0) {
		t.Errorf("contact times = contact %v, sync %v, report %v, first %v", c.LastContact, c.LastSync, c.LastReport, c.FirstSeen)
	}
	wantCode(t, "NoteContact(unknown)", b.NoteContact(ctx, ComputerID(2), store.ContactCall, t0), patchbay.ENotFound)
	wantCode(t, "NoteContact(bad kind)", b.NoteContact(ctx, id, store.ContactKind(99), t0), patchbay.EInvalid)
}

func testDeleteComputer(t *testing.T, b Backend) {
	ctx := t.Context()
	id, other := ComputerID(1), ComputerID(2)
	mustTouch(t, b, id, "pc1", t0)
	mustTouch(t, b, other, "pc2", t0)
	for _, c := range []string{id, other} {
		if _, err := b.AppendEvents(ctx, []patchbay.Event{Event(c, 1, 182, GUID(5), t0)}); err != nil {
			t.Fatal(err)
		}
		if err := b.ApplyStatus(ctx, c, store.StatusChanges{Set: []store.StatusChange{{UpdateID: GUID(5),
			State: patchbay.StateFailed, At: t0}}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.DeleteComputer(ctx, upper(id)); err != nil {
		t.Fatalf("DeleteComputer() = %v", err)
	}
	_, err := b.Computer(ctx, id)
	wantCode(t, "Computer(deleted)", err, patchbay.ENotFound)
	wantCode(t, "DeleteComputer(deleted)", b.DeleteComputer(ctx, id), patchbay.ENotFound)
	if es, err := b.Events(ctx, store.EventFilter{}); err != nil || len(es) != 1 || es[0].ComputerID != other {
		t.Errorf("Events() after DeleteComputer = %d events, %v; want only the other computer's", len(es), err)
	}
	counts, err := b.UpdateStatusCounts(ctx)
	if err != nil || counts[GUID(5)][patchbay.StateFailed] != 1 {
		t.Errorf("UpdateStatusCounts() after DeleteComputer = %v, %v; want one failed", counts, err)
	}
	// The computer comes back when it contacts the server again.
	if created, err := b.TouchComputer(ctx, id, "pc1", nil, t0.Add(time.Hour)); err != nil || !created {
		t.Errorf("TouchComputer(deleted) = %v, %v; want created", created, err)
	}
}

// upper upper-cases a GUID, to check that ids are compared
// without case.
func upper(s string) string { return strings.ToUpper(s) }
