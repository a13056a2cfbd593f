package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"patchbay"
)

// InstallOptions selects what Install installs.
type InstallOptions struct {
	// Optional also installs updates the administrator only offered
	// (OptionalInstall, or IsAssigned false) before their deadline.
	Optional bool
}

// InstallResult is the outcome of installing or removing one update.
type InstallResult struct {
	UpdateID       string `json:"updateId"`
	Title          string `json:"title,omitempty"`
	Uninstall      bool   `json:"uninstall,omitempty"`
	Succeeded      bool   `json:"succeeded"`
	RebootRequired bool   `json:"rebootRequired,omitempty"`
	Err            string `json:"error,omitempty"`
}

// Install installs the needed updates of the last scan whose files are in
// the download cache, and removes the updates with an Uninstall deployment
// (MS-WUSP §2.2.2.2.4 deployment actions). Assigned Install deployments are
// installed; offered ones (OptionalInstall, IsAssigned false) only when
// opt.Optional is set or their Deadline has passed. With ModeSimulate the
// inventory records the change; with ModeCommand the
// CommandLineInstallation handler runs. It queues 181 then 183, 201
// (restart needed) or 182 per update, and 222 or 221 per removal. The next
// scan sees the new state.
func (a *Agent) Install(ctx context.Context, opt InstallOptions) ([]InstallResult, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.st.LastScan == nil {
		return nil, patchbay.Errorf(patchbay.EInvalid, "no scan yet: run scan first")
	}
	s := a.st.server(a.cfg.ServerURL)
	now := a.now()
	out := []InstallResult{}
	changed := false
	for _, u := range a.st.LastScan.Needed() {
		rev := s.Revisions[u.RevisionID]
		if rev == nil {
			continue
		}
		assigned := u.Action == "Install" && (rev.Deployment == nil || rev.Deployment.IsAssigned)
		due := u.Deadline != nil && !now.Before(*u.Deadline)
		if !assigned && !due && !opt.Optional {
			continue
		}
		a.queue(a.event(EventInstallStarted, rev, 0, []string{title(u)}))
		res := InstallResult{UpdateID: u.UpdateID, Title: u.Title}
		reboot, hr, err := a.installOne(ctx, s, u, rev, false)
		switch {
		case err != nil:
			res.Err = err.Error()
			if a.st.Failures == nil {
				a.st.Failures = map[string]int{}
			}
			a.st.Failures[u.UpdateID]++
			a.queue(a.event(EventInstallFailed, rev, hr, []string{hresultText(hr), title(u)}))
		case reboot:
			res.Succeeded, res.RebootRequired = true, true
			a.st.RebootRequired = true
			e := a.event(EventInstallPending, rev, hrRebootRequired, nil)
			e.Misc = append(e.Misc, "D=1")
			a.queue(e)
			changed = true
		default:
			res.Succeeded = true
			delete(a.st.Failures, u.UpdateID)
			a.queue(a.event(EventInstallSucceeded, rev, 0, []string{title(u)}))
			changed = true
		}
		out = append(out, res)
	}
	for _, u := range a.st.LastScan.ToRemove() {
		rev := s.Revisions[u.RevisionID]
		if rev == nil {
			continue
		}
		res := InstallResult{UpdateID: u.UpdateID, Title: u.Title, Uninstall: true}
		reboot, hr, err := a.installOne(ctx, s, u, rev, true)
		if err != nil {
			res.Err = err.Error()
			a.queue(a.event(EventUninstallFailed, rev, hr, []string{hresultText(hr), title(u)}))
		} else {
			res.Succeeded, res.RebootRequired = true, reboot
			a.st.RebootRequired = a.st.RebootRequired || reboot
			a.queue(a.event(EventUninstallSucceeded, rev, 0, []string{title(u)}))
			changed = true
		}
		out = append(out, res)
	}
	var serr error
	if changed {
		serr = a.inv.Save()
	}
	return out, errors.Join(serr, a.save())
}

// installOne installs (or removes) u through its leaves and records the
// result in the inventory.
func (a *Agent) installOne(ctx context.Context, s *ServerState, u UpdateState, rev *Revision, remove bool) (reboot bool, hr int32, err error) {
	var leaves []*Revision
	for _, id := range u.Leaves {
		if l := s.Revisions[id]; l != nil {
			leaves = append(leaves, l)
		}
	}
	if len(leaves) == 0 {
		return false, hrGeneric, errors.New("no installable revision in the cache")
	}
	for _, l := range leaves {
		if l.Extended == "" {
			return false, hrNotDownloaded, fmt.Errorf("no extended metadata for %s", l.UpdateID)
		}
		ext, perr := parseExtended([]byte(l.Extended))
		if perr != nil {
			return false, hrGeneric, perr
		}
		if !remove {
			for _, f := range ext.Files {
				if d, ok := a.st.Downloads[keyOf(f)]; !ok || fileSize(d.Path) != d.Size {
					return false, hrNotDownloaded, fmt.Errorf("file %s is not downloaded", f.Name)
				}
			}
		}
		if a.cfg.InstallMode == ModeCommand {
			cmd := ext.Install
			if remove {
				cmd = ext.Uninstall
			}
			if !strings.HasSuffix(ext.Handler, "CommandLineInstallation") || cmd == nil {
				return false, hrGeneric, fmt.Errorf("handler %q has no command to run here", ext.Handler)
			}
			rb, rhr, rerr := a.runCommand(ctx, l, ext.Files, cmd)
			if rerr != nil {
				return false, rhr, rerr
			}
			reboot = reboot || rb
		}
	}
	for _, l := range leaves {
		if remove {
			a.inv.MarkUninstalled(l.UpdateID)
		} else {
			a.inv.MarkInstalled(l.UpdateID, int(l.RevisionNumber))
		}
	}
	if len(rev.Bundled) > 0 {
		if remove {
			a.inv.MarkUninstalled(rev.UpdateID)
		} else {
			a.inv.MarkInstalled(rev.UpdateID, int(rev.RevisionNumber))
		}
	}
	return reboot, 0, nil
}

// runCommand runs a CommandLineInstallation InstallCommand: the leaf's
// files are placed under their own names in a work directory, Program runs
// there with Arguments and a timeout, and its exit code is mapped through
// the ReturnCode list, else DefaultResult and RebootByDefault.
func (a *Agent) runCommand(ctx context.Context, leaf *Revision, files []File, c *InstallCommand) (reboot bool, hr int32, err error) {
	work := filepath.Join(a.cfg.DataDir, "install", leaf.UpdateID)
	if err := os.RemoveAll(work); err != nil {
		return false, hrGeneric, err
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return false, hrGeneric, err
	}
	defer os.RemoveAll(work)
	for _, f := range files {
		name := filepath.Base(strings.ReplaceAll(f.Name, `\`, "/"))
		if name == "." || name == "/" || name == "" {
			continue
		}
		if err := copyFile(a.st.Downloads[keyOf(f)].Path, filepath.Join(work, name)); err != nil {
			return false, hrGeneric, err
		}
	}
	prog := filepath.Base(strings.ReplaceAll(c.Program, `\`, "/"))
	path := filepath.Join(work, prog)
	if _, err := os.Stat(path); err != nil {
		return false, hrGeneric, fmt.Errorf("installer %s is not among the update's files", c.Program)
	}
	ctx, cancel := context.WithTimeout(ctx, a.cfg.CommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, strings.Fields(c.Arguments)...)
	cmd.Dir = work
	out, runErr := cmd.CombinedOutput()
	code := 0
	if runErr != nil {
		var ee *exec.ExitError
		switch {
		case ctx.Err() != nil:
			return false, hrInstallerTimeout, fmt.Errorf("installer %s did not finish within %s", prog, a.cfg.CommandTimeout)
		case errors.As(runErr, &ee):
			code = ee.ExitCode()
		default:
			return false, hrGeneric, fmt.Errorf("run installer %s: %w", prog, runErr)
		}
	}
	result, reboot := c.DefaultResult, c.RebootByDefault
	if result == "" {
		result = "Failed"
		if code == 0 {
			result = "Succeeded"
		}
	}
	for _, rc := range c.ReturnCodes {
		if rc.Code == code {
			result, reboot = rc.Result, rc.Reboot
			break
		}
	}
	a.log.Info("installer finished", "update", leaf.UpdateID, "program", prog, "exit", code, "result", result, "output", tail(out, 512))
	if !strings.EqualFold(result, "Succeeded") {
		return false, hresultFromExit(code), fmt.Errorf("installer %s exited with %d (%s)", prog, code, result)
	}
	return reboot, 0, nil
}

func keyOf(f File) string { return fmt.Sprintf("%x", f.SHA1) }

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return strings.TrimSpace(string(b))
}
