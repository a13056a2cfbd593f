package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"patchbay/internal/adminapi"
)

// The admin verbs (groups, computers, approve, unapprove, updates) talk to a
// running server through adminapi only; they never open the store.

// defaultServer is the server the admin verbs talk to unless told otherwise.
const defaultServer = "http://127.0.0.1:8530"

// adminFlags are the flags every admin verb takes.
type adminFlags struct {
	server string
	token  string
	data   string
	json   bool
}

// bind registers the common flags on fs, with defaults from the environment.
func (a *adminFlags) bind(fs *flag.FlagSet, getenv func(string) string, withJSON bool) {
	server := getenv("PATCHBAY_SERVER")
	if server == "" {
		server = defaultServer
	}
	data := getenv("PATCHBAY_DATA")
	if data == "" {
		data = "./data"
	}
	fs.StringVar(&a.server, "server", server, "server `URL` (env PATCHBAY_SERVER)")
	fs.StringVar(&a.token, "token", getenv("PATCHBAY_TOKEN"), "admin API `TOKEN` (env PATCHBAY_TOKEN; default: read "+adminapi.TokenFile+" in --data)")
	fs.StringVar(&a.data, "data", data, "the server's data `DIR`, to read "+adminapi.TokenFile+" from (env PATCHBAY_DATA)")
	if withJSON {
		fs.BoolVar(&a.json, "json", false, "write JSON instead of a table")
	}
}

// client returns an API client for the flags: the token from --token or
// PATCHBAY_TOKEN, else from the data directory's token file.
func (a *adminFlags) client() (*adminapi.Client, error) {
	server := strings.TrimSpace(a.server)
	if server == "" {
		return nil, usageError{errors.New("--server is empty")}
	}
	if !strings.Contains(server, "://") {
		server = "http://" + server
	}
	tok := strings.TrimSpace(a.token)
	if tok == "" {
		var err error
		if tok, err = adminapi.ReadToken(a.data); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("no admin token: pass --token, set PATCHBAY_TOKEN, or point --data at the server's data directory (%s not found)",
					filepath.Join(a.data, adminapi.TokenFile))
			}
			return nil, err
		}
	}
	return &adminapi.Client{BaseURL: server, Token: tok, HTTP: &http.Client{Timeout: 5 * time.Minute}}, nil
}

// verb is the command line of one admin verb: a flag set with the common
// flags, the verb's own flags, and the flags it requires.
type verb struct {
	adminFlags
	fs       *flag.FlagSet
	required []string
}

// newVerb returns a verb named name (e.g. "groups create") whose usage
// text starts with synopsis; withJSON adds --json.
func newVerb(name, synopsis string, getenv func(string) string, stderr io.Writer, withJSON bool) *verb {
	fs := flag.NewFlagSet("patchbay "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: patchbay %s\n\nflags:\n", synopsis)
		fs.PrintDefaults()
	}
	v := &verb{fs: fs}
	v.bind(fs, getenv, withJSON)
	return v
}

// require makes the flag name (already defined) mandatory; its value is
// meant, so that a usage error is reported before any connection.
func (v *verb) require(name string) { v.required = append(v.required, name) }

// parse parses args, checks the positional arguments (named by names) and
// the required flags, and returns the positional arguments and a client.
func (v *verb) parse(args []string, names ...string) ([]string, *adminapi.Client, error) {
	pos, err := parseArgs(v.fs, args, names...)
	if err != nil {
		return nil, nil, err
	}
	for _, name := range v.required {
		if v.fs.Lookup(name).Value.String() == "" {
			return nil, nil, usageError{fmt.Errorf("missing --%s %s", name, strings.ToUpper(name))}
		}
	}
	c, err := v.client()
	if err != nil {
		return nil, nil, err
	}
	return pos, c, nil
}

// parseArgs parses flags that may come before, between or after the
// positional arguments ("groups create NAME --parent X"), and checks that
// there are exactly npos positional arguments, named by names in errors.
func parseArgs(fs *flag.FlagSet, args []string, names ...string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, flagError(err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if i := len(args) - len(rest); i > 0 && args[i-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	switch {
	case len(pos) < len(names):
		return nil, usageError{fmt.Errorf("missing %s", names[len(pos)])}
	case len(pos) > len(names):
		return nil, usageError{fmt.Errorf("unexpected argument %q", pos[len(names)])}
	}
	return pos, nil
}

// subcommand splits "VERB SUB args…" and reports a usage error naming the
// known subcommands when SUB is missing or unknown.
func subcommand(verb string, args []string, known ...string) (string, []string, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "--help" && args[0] != "-help" {
		return "", nil, usageError{fmt.Errorf("want a subcommand: %s", strings.Join(known, ", "))}
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		return "help", nil, nil
	}
	for _, k := range known {
		if args[0] == k {
			return k, args[1:], nil
		}
	}
	return "", nil, usageError{fmt.Errorf("unknown subcommand %q (want %s)", args[0], strings.Join(known, ", "))}
}

// writeJSON writes v indented, for --json.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// newTable returns an aligned table writer; the caller flushes it.
func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
}

// when formats a time for tables: local time to the minute, or "never".
func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format("2006-01-02 15:04")
}

// orDash returns s, or "-" when it is empty, so that table cells never
// collapse.
func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

// cell makes s safe for one tab-separated table cell and at most max runes.
func cell(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); max > 0 && len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	return orDash(s)
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ", ") }

func (l *stringList) Set(s string) error {
	*l = append(*l, s)
	return nil
}
