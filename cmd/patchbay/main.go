// Command patchbay is the Patchbay update server and its administration
// commands: serve, import, catalog generate. It only wires packages together;
// see docs/architecture.md.
package main

import (
	"context"
	"errors"
	"flag"
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

const usage = `usage: patchbay <command> [flags]

commands:
  serve              run the update server (default port 8530, data in ./data)
  import PATH        load update XML files (and content files) from PATH
  catalog generate   write a generated reference catalog for tests and benchmarks
  version            print the version

admin commands (talk to a running server's /api/v1/ with --server URL and the
admin token from --token, PATCHBAY_TOKEN or DIR/admin.token with --data DIR):
  groups list|create|delete          manage computer target groups
  computers list|move                list computers, assign them to groups
  updates list|show                  list and inspect updates
  approve UPDATEID --group NAME      approve an update (--action, --deadline)
  unapprove UPDATEID --group NAME    remove an approval

Run "patchbay <command> -h" for a command's flags.
`

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// run executes one command and returns the process exit status: 0 success,
// 1 failure, 2 bad usage. Errors are printed as one line, never a stack trace.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = runServe(ctx, args[1:], getenv, stderr)
	case "import":
		err = runImport(ctx, args[1:], getenv, stdout, stderr)
	case "catalog":
		err = runCatalog(ctx, args[1:], stdout, stderr)
	case "groups":
		err = runGroups(ctx, args[1:], getenv, stdout, stderr)
	case "computers":
		err = runComputers(ctx, args[1:], getenv, stdout, stderr)
	case "updates":
		err = runUpdates(ctx, args[1:], getenv, stdout, stderr)
	case "approve":
		err = runApprove(ctx, args[1:], getenv, stdout, stderr)
	case "unapprove":
		err = runUnapprove(ctx, args[1:], getenv, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "patchbay", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "patchbay: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		fmt.Fprintf(stderr, "patchbay %s: %v\n", args[0], err)
		return 2
	default:
		fmt.Fprintf(stderr, "patchbay %s: %v\n", args[0], err)
		return 1
	}
}

// usageError marks errors caused by how the command was called.
type usageError struct{ error }

// flagError turns a flag parsing error into a usageError; the flag package
// has already printed the details and usage.
func flagError(err error) error {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usageError{err}
}
