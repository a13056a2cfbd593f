// Package swarm runs many simulated update clients in one process against a
// WSUS-protocol server — each an internal/agent client with its own id,
// state and machine profile, installing in simulate mode — and measures
// every SOAP operation: the load generator of benchmarks and soak tests.
package swarm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"patchbay"
	"patchbay/internal/agent"
	"patchbay/internal/applicability"
	"patchbay/internal/soap"
)

// Config configures a swarm.
type Config struct {
	// ServerURL is the update and reporting server, e.g.
	// "http://127.0.0.1:8530". Required.
	ServerURL string
	// Clients is the number of simulated clients. Required (> 0).
	Clients int
	// Concurrency is the most clients running a cycle at once; zero means
	// Clients.
	Concurrency int
	// Duration ends the run; zero means no time limit (Cycles or the
	// context must end it).
	Duration time.Duration
	// Cycles is the number of cycles each client runs; zero means no
	// limit (Duration or the context must end it).
	Cycles int
	// ProfileDir holds machine profiles (*.json, applicability.LoadProfile);
	// "" means the built-in profiles (applicability.BuiltinProfiles).
	ProfileDir string
	// Seed, when non-zero, draws each client's profile at random with this
	// seed; zero assigns the profiles round-robin.
	Seed uint64
	// TempDir is where the swarm's directory of client states is made
	// (and removed at the end); "" means os.TempDir.
	TempDir string
	// TargetGroups are the client-side target groups every client claims;
	// nil claims none.
	TargetGroups []string
	// Transport carries the requests; nil means a clone of
	// http.DefaultTransport sized for Concurrency.
	Transport http.RoundTripper
	// Logger logs the agents' messages and failed cycles; nil discards.
	Logger *slog.Logger
}

// cycleBackoff is the wait of a client after a failed cycle, so that a
// failing server is not hammered in a tight loop.
const cycleBackoff = time.Second

// Run runs the swarm until every client has run cfg.Cycles cycles,
// cfg.Duration has passed or ctx ends, and returns what it measured. A
// cycle is the agent's Cycle (scan, download, simulated install, rescan)
// followed by Report. A failed cycle is counted and the client goes on
// after a short pause. Run returns an Invalid error for a bad Config and
// an error when the clients cannot be set up; the end of ctx is not an
// error.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if cfg.Concurrency <= 0 || cfg.Concurrency > cfg.Clients {
		cfg.Concurrency = cfg.Clients
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	profiles, err := loadProfiles(cfg.ProfileDir)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(cfg.TempDir, "patchbay-swarm-")
	if err != nil {
		return nil, fmt.Errorf("swarm: %w", err)
	}
	defer os.RemoveAll(dir)

	tr := cfg.Transport
	if tr == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConns = 2 * cfg.Concurrency
		t.MaxIdleConnsPerHost = 2 * cfg.Concurrency
		t.ResponseHeaderTimeout = 2 * time.Minute
		defer t.CloseIdleConnections()
		tr = t
	}
	m := newMeter(tr)
	hc := &http.Client{Transport: m}

	// Set up every client before the clock starts.
	clients := make([]*client, cfg.Clients)
	var rnd *rand.Rand
	if cfg.Seed != 0 {
		rnd = rand.New(rand.NewPCG(cfg.Seed, cfg.Seed))
	}
	for i := range clients {
		p := profiles[i%len(profiles)]
		if rnd != nil {
			p = profiles[rnd.IntN(len(profiles))]
		}
		c, err := openClient(cfg, hc, log, filepath.Join(dir, fmt.Sprintf("%05d", i)), fmt.Sprintf("swarm-%05d", i), p)
		if err != nil {
			return nil, err
		}
		clients[i] = c
	}

	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}
	var cycles, failed atomic.Int64
	var errMu sync.Mutex
	cycleErrors := map[string]int64{}
	slots := make(chan struct{}, cfg.Concurrency)
	start := time.Now()
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() {
			for n := 0; cfg.Cycles == 0 || n < cfg.Cycles; n++ {
				select {
				case slots <- struct{}{}:
				case <-ctx.Done():
					return
				}
				err := c.cycle(ctx)
				<-slots
				if ctx.Err() != nil {
					return // cut off by the end of the run: not counted
				}
				if err == nil {
					cycles.Add(1)
					continue
				}
				failed.Add(1)
				code := cycleErrorCode(err)
				errMu.Lock()
				cycleErrors[code]++
				errMu.Unlock()
				log.Warn("swarm cycle failed", "client", c.name, "err", err)
				t := time.NewTimer(cycleBackoff)
				select {
				case <-ctx.Done():
				case <-t.C:
				}
				t.Stop()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	s := m.summary(elapsed)
	s.Server, s.Clients, s.Concurrency = cfg.ServerURL, cfg.Clients, cfg.Concurrency
	s.Cycles, s.FailedCycles, s.CycleErrors = cycles.Load(), failed.Load(), cycleErrors
	s.Profiles = map[string]int{}
	for _, c := range clients {
		s.Profiles[c.profile]++
	}
	return s, nil
}

// check validates the Config.
func (cfg *Config) check() error {
	switch {
	case cfg.ServerURL == "":
		return patchbay.Errorf(patchbay.EInvalid, "swarm: no server url")
	case cfg.Clients <= 0:
		return patchbay.Errorf(patchbay.EInvalid, "swarm: clients %d: want at least 1", cfg.Clients)
	case cfg.Concurrency < 0:
		return patchbay.Errorf(patchbay.EInvalid, "swarm: concurrency %d: want at least 1", cfg.Concurrency)
	case cfg.Duration < 0:
		return patchbay.Errorf(patchbay.EInvalid, "swarm: negative duration")
	case cfg.Cycles < 0:
		return patchbay.Errorf(patchbay.EInvalid, "swarm: cycles %d: want at least 1", cfg.Cycles)
	}
	return nil
}

// profileSource makes a fresh copy of one machine profile.
type profileSource struct {
	name string
	load func() (*applicability.Profile, error)
}

// loadProfiles returns the profiles of dir (each file checked now), or the
// built-in ones when dir is "".
func loadProfiles(dir string) ([]profileSource, error) {
	var out []profileSource
	if dir == "" {
		for _, name := range applicability.BuiltinProfiles() {
			out = append(out, profileSource{name, func() (*applicability.Profile, error) { return applicability.BuiltinProfile(name) }})
		}
		if len(out) == 0 {
			return nil, errors.New("swarm: no built-in profiles")
		}
		return out, nil
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("swarm: profiles: %w", err)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if _, err := applicability.LoadProfile(p); err != nil {
			return nil, fmt.Errorf("swarm: profile %s: %w", p, err)
		}
		out = append(out, profileSource{strings.TrimSuffix(filepath.Base(p), ".json"), func() (*applicability.Profile, error) { return applicability.LoadProfile(p) }})
	}
	if len(out) == 0 {
		return nil, patchbay.Errorf(patchbay.EInvalid, "swarm: no *.json profiles in %s", dir)
	}
	return out, nil
}

// client is one simulated machine.
type client struct {
	name, profile string
	a             *agent.Agent
}

// openClient gives a client its own data directory, its own copy of the
// profile (which simulated installs change) and a fresh client id.
func openClient(cfg Config, hc *http.Client, log *slog.Logger, dir, name string, ps profileSource) (*client, error) {
	p, err := ps.load()
	if err != nil {
		return nil, fmt.Errorf("swarm: profile %s: %w", ps.name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("swarm: %w", err)
	}
	path := filepath.Join(dir, "profile.json")
	if err := p.Save(path); err != nil {
		return nil, fmt.Errorf("swarm: profile %s: %w", ps.name, err)
	}
	inv, err := agent.OpenProfile(path, name)
	if err != nil {
		return nil, fmt.Errorf("swarm: profile %s: %w", ps.name, err)
	}
	a, err := agent.Open(agent.Config{ServerURL: cfg.ServerURL, TargetGroups: cfg.TargetGroups, DataDir: dir,
		InstallMode: agent.ModeSimulate, HTTPClient: hc, Logger: log.With("client", name), InMemory: true}, inv)
	if err != nil {
		return nil, fmt.Errorf("swarm: %w", err)
	}
	return &client{name: name, profile: ps.name, a: a}, nil
}

// cycle runs one full client cycle: scan, download, simulated install,
// rescan (agent.Cycle), then the event report.
func (c *client) cycle(ctx context.Context) error {
	if _, err := c.a.Cycle(ctx, agent.InstallOptions{}); err != nil {
		return err
	}
	_, err := c.a.Report(ctx)
	return err
}

// cycleErrorCode names the cause of a failed cycle: the ErrorCode of a
// SOAP fault (MS-WUSP §2.2.2.4), "http NNN", ErrTransport, or the patchbay
// error code ("internal" for anything else).
func cycleErrorCode(err error) string {
	var f *soap.Fault
	if errors.As(err, &f) {
		if c := f.ErrorCode(); c != "" {
			return c
		}
		return ErrFaultNoCode
	}
	var he *soap.HTTPError
	if errors.As(err, &he) {
		return fmt.Sprintf("http %d", he.StatusCode)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ErrTransport
	}
	return patchbay.ErrorCode(err)
}
