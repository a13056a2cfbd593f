// Package agent is Patchbay's update client: the client side of MS-WUSP
// (§3.2 of the spec, with the sequencing rules of §3.2.5). It keeps the
// client state of a Windows Update Agent in one file, runs the handshake
// and the SyncUpdates rounds against a WSUS-protocol server (Patchbay or
// real WSUS), evaluates applicability with an Inventory, downloads and
// verifies content, runs install handlers and reports events.
package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"patchbay/internal/soap"
	"patchbay/internal/wusp"
)

// Install handler modes of Config.InstallMode.
const (
	// ModeSimulate records installations in the inventory (the machine
	// profile) without running anything, so the next scan sees them.
	ModeSimulate = "simulate"
	// ModeCommand runs the CommandLineInstallation handler's program.
	ModeCommand = "command"
)

// protocolVersion is the client protocol version the agent sends, the
// spec's value (MS-WUSP §2.2.2.2.1; WSUS serves it like WUA's 2.90,
// protocol-wusp.md §4.1).
const protocolVersion = "1.8"

// Config is the agent's configuration: the knobs of the Windows Update
// "Policy Table" (MS-WUSP §3.2.1).
type Config struct {
	// ServerURL is the update server, e.g. "http://wsus:8530"
	// (WUServer). Required.
	ServerURL string
	// ReportingURL is the reporting server (WUStatusServer); "" means
	// ServerURL.
	ReportingURL string
	// TargetGroups are the client-side targeting groups (TargetGroup),
	// sent ';'-joined as GetAuthorizationCookie's targetGroupName. Nil
	// sends none.
	TargetGroups []string
	// DetectionFrequency is the period of automatic scans
	// (DetectionFrequency); zero means 22 hours, the Windows default.
	DetectionFrequency time.Duration
	// Proxy is an HTTP proxy URL; "" means the environment's
	// (HTTP_PROXY). Ignored when HTTPClient is set.
	Proxy string
	// DataDir holds the state file and the download cache. Required.
	DataDir string
	// InstallMode is ModeSimulate or ModeCommand; "" means ModeSimulate.
	InstallMode string
	// BandwidthLimit caps downloads in bytes per second; zero means none.
	BandwidthLimit int64
	// ParallelDownloads is the most files downloaded at once; zero means 2.
	ParallelDownloads int
	// CommandTimeout bounds one installer run; zero means 2 hours.
	CommandTimeout time.Duration
	// HTTPClient is used for every request; nil builds one from Proxy.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sleep waits between retries; nil means a timer. Tests inject it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Progress, when set, is called as content downloads.
	Progress func(file string, done, total int64)
	// Logger logs; nil discards.
	Logger *slog.Logger
	// InMemory keeps the client state in memory only: nothing is read from
	// or written to DataDir/state.json (the swarm's simulated clients, which
	// must not be limited by disk writes). Downloads still go to DataDir.
	InMemory bool
}

// StateFile is the name of the state file inside DataDir.
const StateFile = "state.json"

// Agent is one update client. Its methods are safe for concurrent use;
// operations that talk to the server run one at a time.
type Agent struct {
	cfg    Config
	inv    Inventory
	path   string
	dl     *http.Client // content downloads
	client *wusp.Client
	report *wusp.Client
	log    *slog.Logger

	mu sync.Mutex // guards st and serialises operations
	st *State
	// Corrupted is set when Open found a corrupted state file and reset
	// it (MS-WSUSOD §2.7.1.2).
	Corrupted bool
}

// Open loads the state under cfg.DataDir (creating the directory and a
// fresh client id on first use) and returns an Agent evaluating with inv.
// A corrupted state file is moved aside and replaced by an empty state; the
// next scan resynchronises everything.
func Open(cfg Config, inv Inventory) (*Agent, error) {
	if cfg.ServerURL == "" {
		return nil, errors.New("agent: no server url")
	}
	if u, err := url.Parse(cfg.ServerURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("agent: server url %q: want http://host[:port] or https://…", cfg.ServerURL)
	}
	if cfg.DataDir == "" {
		return nil, errors.New("agent: no data directory")
	}
	if inv == nil {
		return nil, errors.New("agent: no inventory")
	}
	switch cfg.InstallMode {
	case "":
		cfg.InstallMode = ModeSimulate
	case ModeSimulate, ModeCommand:
	default:
		return nil, fmt.Errorf("agent: install mode %q: want %s or %s", cfg.InstallMode, ModeSimulate, ModeCommand)
	}
	cfg.ServerURL = strings.TrimRight(cfg.ServerURL, "/")
	if cfg.ReportingURL == "" {
		cfg.ReportingURL = cfg.ServerURL
	}
	if cfg.DetectionFrequency <= 0 {
		cfg.DetectionFrequency = 22 * time.Hour
	}
	if cfg.ParallelDownloads <= 0 {
		cfg.ParallelDownloads = 2
	}
	if cfg.CommandTimeout <= 0 {
		cfg.CommandTimeout = 2 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hc, dl := cfg.HTTPClient, cfg.HTTPClient
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.ResponseHeaderTimeout = 2 * time.Minute
		if cfg.Proxy != "" {
			pu, err := url.Parse(cfg.Proxy)
			if err != nil || pu.Host == "" {
				return nil, fmt.Errorf("agent: proxy %q: want http://host:port", cfg.Proxy)
			}
			tr.Proxy = http.ProxyURL(pu)
		}
		// SOAP calls are bounded as a whole; downloads only by their
		// progress (a large file at a low bandwidth limit takes hours).
		hc = &http.Client{Transport: tr, Timeout: 5 * time.Minute}
		dl = &http.Client{Transport: tr}
	}
	if err := os.MkdirAll(filepath.Join(cfg.DataDir, "downloads"), 0o755); err != nil {
		return nil, fmt.Errorf("agent: data directory: %w", err)
	}
	path := filepath.Join(cfg.DataDir, StateFile)
	st, corrupted, err := newState(), false, error(nil)
	if !cfg.InMemory {
		if st, corrupted, err = loadState(path, cfg.Now()); err != nil {
			return nil, err
		}
	}
	a := &Agent{cfg: cfg, inv: inv, path: path, dl: dl, log: log, st: st, Corrupted: corrupted,
		client: newClient(cfg.ServerURL, hc), report: newClient(cfg.ReportingURL, hc)}
	if corrupted {
		log.Warn("state file was corrupted; reset to empty, full resync follows", "path", path)
	}
	if err := a.save(); err != nil {
		return nil, err
	}
	return a, nil
}

// userAgent names the agent and its protocol version, which helps WSUS
// administrators reading IIS logs (protocol-wusp.md §12.3).
const userAgent = "Patchbay-Agent/1.0 (MS-WUSP " + protocolVersion + ")"

// newClient returns a wusp.Client for base that sends userAgent.
func newClient(base string, hc *http.Client) *wusp.Client {
	c := wusp.NewClient(base, hc)
	for _, sc := range []*soap.Client{&c.SimpleAuth, &c.ClientService, &c.Reporting} {
		sc.UserAgent = userAgent
	}
	return c
}

// ClientID returns the agent's client id.
func (a *Agent) ClientID() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.st.ClientID
}

// DetectionFrequency returns the configured detection period.
func (a *Agent) DetectionFrequency() time.Duration { return a.cfg.DetectionFrequency }

// save writes the state file; callers hold a.mu.
func (a *Agent) save() error {
	if a.cfg.InMemory {
		return nil
	}
	return a.st.save(a.path)
}

func (a *Agent) now() time.Time { return a.cfg.Now().UTC() }

func (a *Agent) sleep(ctx context.Context, d time.Duration) error {
	if a.cfg.Sleep != nil {
		return a.cfg.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
