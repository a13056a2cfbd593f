package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"patchbay/internal/agent"
	"patchbay/internal/applicability"
)

// Main is one configured agent, as the commands use it; tests build it
// in-process through run.
type Main struct {
	Options *options
	Agent   *agent.Agent
	Stdout  io.Writer
	Stderr  io.Writer
}

// open builds the agent from the options.
func open(o *options, stdout, stderr io.Writer) (*Main, error) {
	if o.Server == "" {
		return nil, usageError{errors.New("no update server: set --server, PATCHBAY_AGENT_SERVER or server in the config file")}
	}
	freq, err := detectionFrequency(o.DetectionFrequency)
	if err != nil {
		return nil, usageError{err}
	}
	rate, err := byteRate(o.Bandwidth)
	if err != nil {
		return nil, usageError{err}
	}
	parallel := 0
	if o.Parallel != "" {
		if parallel, err = strconv.Atoi(o.Parallel); err != nil || parallel < 1 || parallel > 64 {
			return nil, usageError{fmt.Errorf("parallel %q: want 1 to 64", o.Parallel)}
		}
	}
	var groups []string
	for g := range strings.SplitSeq(o.TargetGroups, ",") {
		if g = strings.TrimSpace(g); g != "" {
			groups = append(groups, g)
		}
	}
	dns := o.DNSName
	if dns == "" {
		if dns, err = os.Hostname(); err != nil {
			return nil, fmt.Errorf("host name: %w", err)
		}
	}
	logger := slog.New(slog.DiscardHandler)
	if o.verbose {
		logger = slog.New(slog.NewTextHandler(stderr, nil))
	}
	if o.seedProfile {
		if err := seedProfile(o.Profile, stderr); err != nil {
			return nil, err
		}
	}
	inv, err := agent.OpenProfile(o.Profile, dns)
	if err != nil {
		return nil, err
	}
	cfg := agent.Config{
		ServerURL: o.Server, ReportingURL: o.ReportingServer, TargetGroups: groups, DetectionFrequency: freq,
		Proxy: o.Proxy, DataDir: o.Data, InstallMode: o.InstallMode, BandwidthLimit: rate, ParallelDownloads: parallel,
		Logger: logger,
	}
	if !o.json && isTerminal(stdout) {
		cfg.Progress = progressPrinter(stdout)
	}
	a, err := agent.Open(cfg, inv)
	if err != nil {
		return nil, err
	}
	if a.Corrupted {
		fmt.Fprintln(stderr, "patchbay-agent: the state file was corrupted; it was moved aside and a full resync follows")
	}
	return &Main{Options: o, Agent: a, Stdout: stdout, Stderr: stderr}, nil
}

// runCommand runs one of the agent commands.
func runCommand(ctx context.Context, cmd string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, err := parseOptions(cmd, args, getenv, stderr)
	if err != nil {
		return err
	}
	m, err := open(o, stdout, stderr)
	if err != nil {
		return err
	}
	switch cmd {
	case "scan":
		return m.scan(ctx)
	case "download":
		return m.download(ctx)
	case "install":
		return m.install(ctx)
	case "report":
		return m.report(ctx)
	case "status":
		return m.status()
	case "run":
		return m.run(ctx)
	}
	return usageError{fmt.Errorf("unknown command %q", cmd)}
}

func (m *Main) scan(ctx context.Context) error {
	res, err := m.Agent.Scan(ctx)
	if err != nil {
		return err
	}
	if m.Options.json {
		return m.printJSON(res)
	}
	m.printScan(res)
	return nil
}

func (m *Main) printScan(res *agent.ScanResult) {
	needed, remove, installed := res.Needed(), res.ToRemove(), res.InstalledUpdates()
	fmt.Fprintf(m.Stdout, "scan finished: %d needed, %d to remove, %d installed, %d evaluated\n",
		len(needed), len(remove), len(installed), len(res.Updates))
	tw := tabwriter.NewWriter(m.Stdout, 2, 4, 2, ' ', 0)
	for _, u := range needed {
		fmt.Fprintf(tw, "  needed\t%s\t%s\t%s\n", u.UpdateID, u.Action, titleOf(u))
	}
	for _, u := range remove {
		fmt.Fprintf(tw, "  remove\t%s\t%s\t%s\n", u.UpdateID, u.Action, titleOf(u))
	}
	tw.Flush()
}

func (m *Main) download(ctx context.Context) error {
	res, err := m.Agent.Download(ctx)
	if err != nil {
		return err
	}
	return m.results(res, len(res), "nothing to download", "downloads", func(i int) (string, bool) {
		r := res[i]
		if r.Err != "" {
			return fmt.Sprintf("download failed: %s: %s", nameOf(r.UpdateID, r.Title), r.Err), true
		}
		return fmt.Sprintf("downloaded %s (%d bytes)", nameOf(r.UpdateID, r.Title), r.Bytes), false
	})
}

func (m *Main) install(ctx context.Context) error {
	res, err := m.Agent.Install(ctx, agent.InstallOptions{Optional: m.Options.optional})
	if err != nil {
		return err
	}
	return m.results(res, len(res), "nothing to install", "installations", func(i int) (string, bool) {
		r := res[i]
		name := nameOf(r.UpdateID, r.Title)
		switch {
		case r.Err != "" && r.Uninstall:
			return fmt.Sprintf("removal failed: %s: %s", name, r.Err), true
		case r.Err != "":
			return fmt.Sprintf("install failed: %s: %s", name, r.Err), true
		}
		verb, extra := "installed", ""
		if r.Uninstall {
			verb = "removed"
		}
		if r.RebootRequired {
			extra = " (restart required)"
		}
		return verb + " " + name + extra, false
	})
}

// results prints v as JSON, or one line per result, and returns an error
// naming how many of the n results failed.
func (m *Main) results(v any, n int, none, noun string, line func(i int) (text string, failed bool)) error {
	if m.Options.json {
		if err := m.printJSON(v); err != nil {
			return err
		}
	} else if n == 0 {
		fmt.Fprintln(m.Stdout, none)
	}
	failed := 0
	for i := range n {
		text, bad := line(i)
		if bad {
			failed++
		}
		if !m.Options.json {
			fmt.Fprintln(m.Stdout, text)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d %s failed", failed, n, noun)
	}
	return nil
}

func (m *Main) report(ctx context.Context) error {
	n, err := m.Agent.Report(ctx)
	if err != nil {
		return err
	}
	if m.Options.json {
		return m.printJSON(map[string]int{"reported": n, "pending": m.Agent.Pending()})
	}
	fmt.Fprintf(m.Stdout, "reported %d events, %d pending\n", n, m.Agent.Pending())
	return nil
}

func (m *Main) status() error {
	st := m.Agent.Status()
	if m.Options.json {
		return m.printJSON(st)
	}
	w := m.Stdout
	fmt.Fprintf(w, "client id:        %s\n", st.ClientID)
	fmt.Fprintf(w, "server:           %s\n", st.Server)
	fmt.Fprintf(w, "last scan:        %s\n", when(st.LastScan))
	if st.LastScanError != "" {
		fmt.Fprintf(w, "last scan error:  %s\n", st.LastScanError)
	}
	fmt.Fprintf(w, "last contact:     %s\n", when(st.LastContact))
	fmt.Fprintf(w, "installed:        %d\n", len(st.Installed))
	fmt.Fprintf(w, "needed:           %d\n", len(st.Needed))
	if len(st.ToRemove) > 0 {
		fmt.Fprintf(w, "to remove:        %d\n", len(st.ToRemove))
	}
	fmt.Fprintf(w, "ready to install: %d (%d files downloaded)\n", len(st.ReadyToInstall), st.DownloadedFiles)
	fmt.Fprintf(w, "pending events:   %d\n", st.PendingEvents)
	if st.RebootRequired {
		fmt.Fprintln(w, "restart required")
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, u := range st.Needed {
		fmt.Fprintf(tw, "  needed\t%s\t%s\n", u.UpdateID, titleOf(u))
	}
	for _, u := range st.ToRemove {
		fmt.Fprintf(tw, "  remove\t%s\t%s\n", u.UpdateID, titleOf(u))
	}
	for _, u := range st.Installed {
		fmt.Fprintf(tw, "  installed\t%s\t%s\n", u.UpdateID, titleOf(u))
	}
	return tw.Flush()
}

// run is the periodic loop: a cycle every detection period (randomised to
// 0.8–1.0 of it), events reported in the background, until SIGINT/SIGTERM.
func (m *Main) run(ctx context.Context) error {
	var mu sync.Mutex
	err := m.Agent.Run(ctx, agent.InstallOptions{Optional: m.Options.optional}, func(res *agent.CycleResult, err error) {
		mu.Lock()
		defer mu.Unlock()
		if m.Options.json {
			line := map[string]any{"time": time.Now().UTC(), "result": res}
			if err != nil {
				line["error"] = err.Error()
			}
			json.NewEncoder(m.Stdout).Encode(line)
			return
		}
		if err != nil {
			fmt.Fprintf(m.Stderr, "patchbay-agent run: cycle failed: %v\n", err)
			return
		}
		fmt.Fprintf(m.Stdout, "%s cycle: %d needed, %d downloaded, %d installed\n",
			time.Now().Format(time.DateTime), len(res.Scan.Needed()), len(res.Downloads), len(res.Installs))
	})
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func (m *Main) printJSON(v any) error {
	enc := json.NewEncoder(m.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func titleOf(u agent.UpdateState) string { return nameOf(u.UpdateID, u.Title) }

func nameOf(id, title string) string {
	if title != "" {
		return title
	}
	return id
}

func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format(time.DateTime)
}

// isTerminal reports whether w is a character device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressPrinter draws one progress line per file on a terminal.
func progressPrinter(w io.Writer) func(file string, done, total int64) {
	var mu sync.Mutex
	last := map[string]int{}
	return func(file string, done, total int64) {
		if total <= 0 {
			return
		}
		pct := int(done * 100 / total)
		mu.Lock()
		defer mu.Unlock()
		if pct == last[file] && done != total {
			return
		}
		last[file] = pct
		fmt.Fprintf(w, "\r\033[K%s %3d%% (%d/%d bytes)", file, pct, done, total)
		if done == total {
			fmt.Fprintln(w)
		}
	}
}

// defaultProfile is the built-in machine profile a new agent starts from.
const defaultProfile = "windows11-x64-en-us"

// seedProfile writes the built-in default machine profile to path when no
// profile exists there yet, so that a first "patchbay-agent scan" works
// without preparing a file; it says so on stderr. An existing profile is
// never touched.
func seedProfile(path string, stderr io.Writer) error {
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		return nil
	}
	p, err := applicability.BuiltinProfile(defaultProfile)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("machine profile: %w", err)
	}
	if err := p.Save(path); err != nil {
		return fmt.Errorf("machine profile: %w", err)
	}
	fmt.Fprintf(stderr, "patchbay-agent: no machine profile at %s; created one from the built-in %q profile\n", path, defaultProfile)
	return nil
}
