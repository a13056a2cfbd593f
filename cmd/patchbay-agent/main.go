// Command patchbay-agent is Patchbay's update client: it scans a
// WSUS-protocol server (Patchbay or WSUS) the way the Windows Update Agent
// does (MS-WUSP §3.2), downloads and verifies content, installs it with the
// simulate or command-line handler, and reports events. It only wires
// internal/agent to flags, environment and a configuration file.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage: patchbay-agent <command> [flags]

commands:
  scan       detect updates: handshake, SyncUpdates, applicability (queues events)
  download   download and verify the files of the needed updates
  install    install the needed updates and remove those approved for uninstall
  report     send the queued events to the reporting server
  run        scan, download, install and report every detection period until stopped
  status     show installed, needed and pending updates and the last contact
  swarm      load test: N simulated clients run full cycles against --server
             (--clients N --duration D|--cycles K [--concurrency C] [--profiles DIR] [--seed S] [--json])
  version    print the version

common flags (environment variable, config file key):
  --server URL              update server, e.g. http://wsus:8530 (PATCHBAY_AGENT_SERVER, server)
  --reporting-server URL    reporting server; default --server (PATCHBAY_AGENT_REPORTING_SERVER, reportingServer)
  --target-group NAMES      client-side target groups, comma-separated (PATCHBAY_AGENT_TARGET_GROUPS, targetGroups)
  --detection-frequency D   hours (22) or a duration (30m) between scans of run (PATCHBAY_AGENT_DETECTION_FREQUENCY, detectionFrequency)
  --proxy URL               HTTP proxy (PATCHBAY_AGENT_PROXY, proxy)
  --data DIR                state and download cache; default ./agent-data (PATCHBAY_AGENT_DATA, data)
  --profile FILE            machine profile (JSON); default DIR/profile.json (PATCHBAY_AGENT_PROFILE, profile)
  --install-mode MODE       simulate or command (PATCHBAY_AGENT_INSTALL_MODE, installMode)
  --bandwidth RATE          download limit in bytes/s, k/M/G suffixes (PATCHBAY_AGENT_BANDWIDTH, bandwidth)
  --parallel N              parallel downloads, default 2 (PATCHBAY_AGENT_PARALLEL, parallel)
  --dns-name NAME           computer name sent to the server; default the host name (PATCHBAY_AGENT_DNS_NAME, dnsName)
  --config FILE             JSON configuration file with the keys above (PATCHBAY_AGENT_CONFIG)
  --json                    machine-readable output
  --optional                install also updates that are only offered (install, run)
  -v                        log to stderr
`

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// usageError marks an error in the command line: exit status 2.
type usageError struct{ error }

// run executes one command and returns the exit status: 0 success, 1
// failure, 2 bad usage. Errors are one line on stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch cmd := args[0]; cmd {
	case "scan", "download", "install", "report", "run", "status":
		err = runCommand(ctx, cmd, args[1:], getenv, stdout, stderr)
	case "swarm":
		err = runSwarm(ctx, args[1:], getenv, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "patchbay-agent", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "patchbay-agent: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "patchbay-agent %s: %v\n", args[0], err)
		return 2
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return 0 // stopped by SIGINT/SIGTERM
	}
	fmt.Fprintf(stderr, "patchbay-agent %s: %v\n", args[0], err)
	return 1
}
