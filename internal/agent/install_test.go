package agent

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"patchbay/internal/wusp"
)

// addCommandUpdate puts into a's cache an update whose only file is the
// shell script body (exit codes on Unix are 8 bits, so 101 stands in for
// 3010 as the restart code), installed by the CommandLineInstallation handler with
// args, as if a scan had found it needed and Download had fetched it.
func addCommandUpdate(t *testing.T, a *Agent, id int32, script, args string) string {
	t.Helper()
	body := []byte("#!/bin/sh\n" + script + "\n")
	s1, s256 := sha1.Sum(body), sha256.Sum256(body)
	key := hex.EncodeToString(s1[:])
	if err := os.WriteFile(a.cachePath(key), body, 0o644); err != nil {
		t.Fatal(err)
	}
	updateID := fmt.Sprintf("00000000-0000-4000-8000-%012d", id)
	ext := fmt.Sprintf(`<ExtendedProperties DefaultPropertiesLanguage="en" Handler="http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/CommandLineInstallation" MaxDownloadSize="%d" MinDownloadSize="0"><InstallationBehavior Impact="Minor" /></ExtendedProperties>`+
		`<Files><File Digest="%s" DigestAlgorithm="SHA1" FileName="setup.sh" Size="%d" Modified="2026-10-04T09:39:26Z"><AdditionalDigest Algorithm="SHA256">%s</AdditionalDigest></File></Files>`+
		`<HandlerSpecificData type="cmd:CommandLineInstallation"><InstallCommand Program="setup.sh" Arguments="%s" RebootByDefault="false" DefaultResult="Failed">`+
		`<ReturnCode Code="0" Result="Succeeded" /><ReturnCode Code="3010" Result="Succeeded" Reboot="true" /><ReturnCode Code="101" Result="Succeeded" Reboot="true" /><ReturnCode Code="17" Result="Failed" /></InstallCommand></HandlerSpecificData>`,
		len(body), base64.StdEncoding.EncodeToString(s1[:]), len(body), base64.StdEncoding.EncodeToString(s256[:]), args)
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.st.server(a.cfg.ServerURL)
	s.Revisions[id] = &Revision{ID: id, UpdateID: updateID, RevisionNumber: 200, Type: TypeSoftware, IsLeaf: true,
		Deployment: &wusp.Deployment{ID: id, Action: wusp.ActionInstall, IsAssigned: true, LastChangeTime: "2026-10-04"},
		Core:       fmt.Sprintf(`<UpdateIdentity UpdateID="%s" RevisionNumber="200" /><Properties UpdateType="Software" />`, updateID), Extended: ext, Title: "Command " + updateID}
	if a.st.Downloads == nil {
		a.st.Downloads = map[string]DownloadedFile{}
	}
	a.st.Downloads[key] = DownloadedFile{Path: a.cachePath(key), Size: int64(len(body))}
	if a.st.LastScan == nil {
		a.st.LastScan = &ScanResult{}
	}
	a.st.LastScan.Updates = append(a.st.LastScan.Updates, UpdateState{UpdateID: updateID, RevisionNumber: 200, RevisionID: id,
		Type: TypeSoftware, Action: wusp.ActionInstall, Installed: "false", Installable: "true", Needed: true, Leaves: []int32{id}})
	return updateID
}

// TestCommandHandler runs small shell scripts as CommandLineInstallation
// installers and checks the mapping of their exit codes through ReturnCode
// to success, restart required and failure, with the events WUA sends.
func TestCommandHandler(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the installers are shell scripts")
	}
	dir := t.TempDir()
	out := t.TempDir()
	a, inv := newTestAgent(t, "http://127.0.0.1:1", dir, func(c *Config) { c.InstallMode = ModeCommand })
	okID := addCommandUpdate(t, a, 1, `echo "$@" > "$2/ok.args"; test -f setup.sh || exit 9; exit 0`, "/quiet "+out)
	rebootID := addCommandUpdate(t, a, 2, `touch "$1/reboot.ran"; exit 101`, out)
	failID := addCommandUpdate(t, a, 3, `exit 17`, "")
	unknownID := addCommandUpdate(t, a, 4, `exit 42`, "")

	res, err := a.Install(t.Context(), InstallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]InstallResult{}
	for _, r := range res {
		got[r.UpdateID] = r
	}
	if r := got[okID]; !r.Succeeded || r.RebootRequired {
		t.Errorf("exit 0: %+v, want success", r)
	}
	if b, err := os.ReadFile(filepath.Join(out, "ok.args")); err != nil || strings.TrimSpace(string(b)) != "/quiet "+out {
		t.Errorf("installer arguments %q (%v), want %q", b, err, "/quiet "+out)
	}
	if r := got[rebootID]; !r.Succeeded || !r.RebootRequired {
		t.Errorf("exit 101: %+v, want success with restart", r)
	}
	if _, err := os.Stat(filepath.Join(out, "reboot.ran")); err != nil {
		t.Errorf("second installer did not run: %v", err)
	}
	if r := got[failID]; r.Succeeded || !strings.Contains(r.Err, "17") {
		t.Errorf("exit 17: %+v, want failure", r)
	}
	if r := got[unknownID]; r.Succeeded {
		t.Errorf("exit 42 (DefaultResult Failed): %+v, want failure", r)
	}
	if !inv.Profile().Installed(okID) || !inv.Profile().Installed(rebootID) || inv.Profile().Installed(failID) {
		t.Error("profile does not record exactly the successful installs")
	}
	events := map[string][]int16{}
	a.mu.Lock()
	for _, e := range a.st.Pending {
		events[e.UpdateID] = append(events[e.UpdateID], e.EventID)
		if e.EventID == EventInstallFailed && e.UpdateID == failID && e.HResult != hresultFromExit(17) {
			t.Errorf("182 HRESULT %#x, want %#x", uint32(e.HResult), uint32(hresultFromExit(17)))
		}
		if e.EventID == EventInstallPending && e.HResult != hrRebootRequired {
			t.Errorf("201 HRESULT %#x, want 0x00240005", uint32(e.HResult))
		}
	}
	rebootFlag := a.st.RebootRequired
	a.mu.Unlock()
	for id, want := range map[string][]int16{okID: {181, 183}, rebootID: {181, 201}, failID: {181, 182}} {
		if fmt.Sprint(events[id]) != fmt.Sprint(want) {
			t.Errorf("events of %s = %v, want %v", id, events[id], want)
		}
	}
	if !rebootFlag || !a.Status().RebootRequired {
		t.Error("restart requirement not recorded")
	}
}

// TestCommandHandlerTimeout bounds an installer that hangs.
func TestCommandHandlerTimeout(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the installers are shell scripts")
	}
	a, _ := newTestAgent(t, "http://127.0.0.1:1", t.TempDir(), func(c *Config) {
		c.InstallMode = ModeCommand
		c.CommandTimeout = 200 * time.Millisecond
	})
	id := addCommandUpdate(t, a, 1, `exec sleep 30`, "")
	res, err := a.Install(t.Context(), InstallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].UpdateID != id || res[0].Succeeded || !strings.Contains(res[0].Err, "did not finish") {
		t.Fatalf("Install = %+v, want a timeout failure", res)
	}
}

// TestDeadlines: assigned updates install at once; offered ones
// (OptionalInstall, IsAssigned false) wait for their deadline or for an
// explicit request (MS-WUSP §2.2.2.2.4 Deployment).
func TestDeadlines(t *testing.T) {
	a, inv := newTestAgent(t, "http://127.0.0.1:1", t.TempDir(), nil)
	past, future := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	set := func(id int32, action string, assigned bool, deadline *time.Time) string {
		u := addCommandUpdate(t, a, id, "exit 0", "")
		a.mu.Lock()
		defer a.mu.Unlock()
		r := a.st.server(a.cfg.ServerURL).Revisions[id]
		r.Deployment.Action, r.Deployment.IsAssigned = action, assigned
		us := &a.st.LastScan.Updates[len(a.st.LastScan.Updates)-1]
		us.Action, us.Deadline = action, deadline
		return u
	}
	optional := set(1, wusp.ActionOptionalInstall, true, nil)
	due := set(2, wusp.ActionInstall, false, &past)
	later := set(3, wusp.ActionInstall, false, &future)
	assigned := set(4, wusp.ActionInstall, true, nil)
	res, err := a.Install(t.Context(), InstallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := installedIDs(res); fmt.Sprint(got) != fmt.Sprint([]string{due, assigned}) {
		t.Errorf("installed %v, want the due and the assigned update", got)
	}
	a.mu.Lock()
	a.st.LastScan.Updates = slices.DeleteFunc(a.st.LastScan.Updates, func(u UpdateState) bool { return inv.Profile().Installed(u.UpdateID) })
	a.mu.Unlock()
	res, err = a.Install(t.Context(), InstallOptions{Optional: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := installedIDs(res); fmt.Sprint(got) != fmt.Sprint([]string{optional, later}) {
		t.Errorf("with Optional installed %v, want the offered updates", got)
	}
}

func installedIDs(res []InstallResult) []string {
	var out []string
	for _, r := range res {
		if r.Succeeded {
			out = append(out, r.UpdateID)
		}
	}
	return out
}
