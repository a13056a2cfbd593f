package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"patchbay/internal/agent/swarm"
)

// runSwarm runs the swarm command: many simulated clients against one
// server, then the summary as text or JSON. It fails (status 1) when a
// cycle failed, after printing the summary.
func runSwarm(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("patchbay-agent swarm", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg swarm.Config
	var groups string
	var asJSON, verbose bool
	fs.StringVar(&cfg.ServerURL, "server", getenv("PATCHBAY_AGENT_SERVER"), "update server URL")
	fs.IntVar(&cfg.Clients, "clients", 0, "number of simulated clients")
	fs.IntVar(&cfg.Concurrency, "concurrency", 0, "most clients in a cycle at once (default --clients)")
	fs.DurationVar(&cfg.Duration, "duration", 0, "how long to run, e.g. 5m")
	fs.IntVar(&cfg.Cycles, "cycles", 0, "cycles per client (0: until --duration ends)")
	fs.StringVar(&cfg.ProfileDir, "profiles", "", "directory of machine profiles (*.json); default the built-in ones")
	fs.Uint64Var(&cfg.Seed, "seed", 0, "draw profiles at random with this seed (0: round-robin)")
	fs.StringVar(&groups, "target-group", "", "client-side target groups, comma-separated")
	fs.BoolVar(&asJSON, "json", false, "machine-readable output")
	fs.BoolVar(&verbose, "v", false, "log to stderr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return usageError{errors.New("help requested")}
		}
		return usageError{err}
	}
	switch {
	case fs.NArg() > 0:
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	case cfg.ServerURL == "":
		return usageError{errors.New("no update server: set --server or PATCHBAY_AGENT_SERVER")}
	case cfg.Clients < 1:
		return usageError{fmt.Errorf("clients %d: want at least 1", cfg.Clients)}
	case cfg.Concurrency < 0:
		return usageError{fmt.Errorf("concurrency %d: want at least 1", cfg.Concurrency)}
	case cfg.Duration < 0 || cfg.Cycles < 0:
		return usageError{errors.New("duration and cycles must not be negative")}
	case cfg.Duration == 0 && cfg.Cycles == 0:
		return usageError{errors.New("set --duration, --cycles or both")}
	}
	for g := range strings.SplitSeq(groups, ",") {
		if g = strings.TrimSpace(g); g != "" {
			cfg.TargetGroups = append(cfg.TargetGroups, g)
		}
	}
	if verbose {
		cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	}
	s, err := swarm.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(s)
	} else {
		err = s.WriteText(stdout)
	}
	if err != nil {
		return err
	}
	if s.FailedCycles > 0 {
		return fmt.Errorf("%d of %d cycles failed", s.FailedCycles, s.FailedCycles+s.Cycles)
	}
	return nil
}
