package main

import (
	"bytes"
	"encoding/json"
	"go/parser"
	"go/token"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"patchbay/internal/adminapi"
	"patchbay/internal/store"
	"patchbay/internal/store/storetest"
)

// cli runs an admin verb against m with its data directory's token and
// returns the exit code, stdout and stderr.
func cli(t *testing.T, m *Main, args ...string) (int, string, string) {
	t.Helper()
	args = append(args, "--server", m.URL(), "--data", m.Config.DataDir)
	return runArgs(t, noEnv, args...)
}

func runArgs(t *testing.T, getenv func(string) string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, getenv, &stdout, &stderr)
	if strings.Contains(stderr.String(), "goroutine ") {
		t.Errorf("patchbay %s: stack trace on stderr:\n%s", strings.Join(args, " "), stderr.String())
	}
	return code, stdout.String(), stderr.String()
}

// mustCLI runs an admin verb that must succeed and returns its stdout.
func mustCLI(t *testing.T, m *Main, args ...string) string {
	t.Helper()
	code, stdout, stderr := cli(t, m, args...)
	if code != 0 {
		t.Fatalf("patchbay %s = exit %d, stderr %q", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

// wantExit checks a failing verb's exit code and one-line message.
func wantExit(t *testing.T, code int, stderr string, wantCode int, wantMsg string) {
	t.Helper()
	if code != wantCode || !strings.Contains(stderr, wantMsg) {
		t.Errorf("exit %d, stderr %q; want exit %d with %q", code, stderr, wantCode, wantMsg)
	}
}

func addComputer(t *testing.T, m *Main, id, name string) {
	t.Helper()
	if _, err := m.DB.TouchComputer(t.Context(), id, name, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func addUpdates(t *testing.T, m *Main, is ...int) []string {
	t.Helper()
	var recs []store.RevisionRecord
	var ids []string
	for _, i := range is {
		r := storetest.Record(i)
		recs, ids = append(recs, r), append(ids, r.Revision.UpdateID)
	}
	if _, err := m.DB.PutRevisions(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestAdminTokenFile(t *testing.T) {
	m := startMain(t)
	path := filepath.Join(m.Config.DataDir, adminapi.TokenFile)
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("admin token file = %v, %v; want mode 0600", fi, err)
	}
	// Without a token the API answers 401 with a JSON body.
	code, body, _ := get(t, m.URL()+"/api/v1/groups")
	if code != 401 || !strings.Contains(body, `"unauthorized"`) {
		t.Errorf("GET /api/v1/groups without token = %d %s", code, body)
	}
}

func TestAdminTokenSources(t *testing.T) {
	m := startMain(t)
	tok, err := adminapi.ReadToken(m.Config.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	// PATCHBAY_TOKEN and PATCHBAY_SERVER.
	code, stdout, stderr := runArgs(t, env(map[string]string{"PATCHBAY_TOKEN": tok, "PATCHBAY_SERVER": m.URL()}), "groups", "list")
	if code != 0 || !strings.Contains(stdout, "All Computers") {
		t.Errorf("groups list with PATCHBAY_TOKEN = %d %q %q", code, stdout, stderr)
	}
	// PATCHBAY_DATA, and a server given without a scheme.
	code, _, stderr = runArgs(t, env(map[string]string{"PATCHBAY_DATA": m.Config.DataDir}), "groups", "list", "--server", m.Addr())
	if code != 0 {
		t.Errorf("groups list with PATCHBAY_DATA = %d %q", code, stderr)
	}
	// --token wins over the data directory.
	code, _, stderr = cli(t, m, "groups", "list", "--token", "not-the-token-0123456789")
	wantExit(t, code, stderr, 1, "patchbay groups: wrong admin token")
	// No token anywhere.
	code, _, stderr = runArgs(t, noEnv, "groups", "list", "--server", m.URL(), "--data", t.TempDir())
	wantExit(t, code, stderr, 1, "no admin token: pass --token")
	if strings.Count(stderr, "\n") != 1 {
		t.Errorf("error is not one line: %q", stderr)
	}
}

func TestAdminServerUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	code, _, stderr := runArgs(t, noEnv, "groups", "list", "--server", "http://"+addr, "--token", "some-token-0123456789")
	wantExit(t, code, stderr, 1, "cannot reach the server at http://"+addr)
}

func TestAdminUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no subcommand", []string{"groups"}, 2, "want a subcommand: list, create, delete"},
		{"unknown subcommand", []string{"computers", "frob"}, 2, `unknown subcommand "frob"`},
		{"missing name", []string{"groups", "create"}, 2, "missing group NAME"},
		{"extra argument", []string{"groups", "delete", "a", "b"}, 2, `unexpected argument "b"`},
		{"unknown flag", []string{"updates", "list", "--colour"}, 2, "flag provided but not defined"},
		{"approve without group", []string{"approve", "x"}, 2, "missing --group"},
		{"approve without id", []string{"approve", "--group", "g"}, 2, "missing UPDATEID"},
		{"move without group", []string{"computers", "move", "pc1"}, 2, "missing --group"},
		{"bad approved", []string{"updates", "list", "--approved", "maybe"}, 2, `--approved "maybe"`},
		{"help", []string{"groups", "create", "-h"}, 0, "usage: patchbay groups create NAME"},
		{"subcommand help", []string{"updates", "--help"}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runArgs(t, noEnv, tc.args...)
			if code != tc.code || !strings.Contains(stderr+stdout, tc.msg) {
				t.Errorf("patchbay %v = exit %d, stdout %q, stderr %q; want exit %d with %q", tc.args, code, stdout, stderr, tc.code, tc.msg)
			}
		})
	}
}

// decodeJSON decodes a --json output.
func decodeJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("--json output %q: %v", s, err)
	}
}

// TestAdminVerbsUseOnlyAdminAPI keeps the admin verbs off the store: they
// reach the server through adminapi alone (style.md).
func TestAdminVerbsUseOnlyAdminAPI(t *testing.T) {
	for _, name := range []string{"admincli.go", "groups.go", "computers.go", "approve.go", "updates.go"} {
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if (p == "patchbay" || strings.HasPrefix(p, "patchbay/")) && p != "patchbay/internal/adminapi" {
				t.Errorf("%s imports %s; admin verbs may use only patchbay/internal/adminapi", name, p)
			}
		}
	}
}
