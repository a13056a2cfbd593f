package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// startMain runs a server on a free loopback port with a temporary data dir.
func startMain(t *testing.T) *Main {
	t.Helper()
	m := NewMain()
	m.Config.Addr = "127.0.0.1:0"
	m.Config.DataDir = t.TempDir()
	if err := m.Run(t.Context()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return m
}

func get(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestServeHealthAndMetrics(t *testing.T) {
	m := startMain(t)
	code, body, _ := get(t, m.URL()+"/healthz")
	if code != 200 {
		t.Fatalf("GET /healthz = %d %s", code, body)
	}
	var h map[string]any
	if err := json.Unmarshal([]byte(body), &h); err != nil || h["status"] != "ok" {
		t.Errorf("healthz body = %s (%v)", body, err)
	}
	// IIS-like matching: case-insensitive, collapsed slashes.
	if code, _, _ := get(t, m.URL()+"//HealthZ"); code != 200 {
		t.Errorf("GET //HealthZ = %d", code)
	}
	code, body, hdr := get(t, m.URL()+"/metrics")
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("GET /metrics = %d %s", code, hdr.Get("Content-Type"))
	}
	if !strings.Contains(body, `patchbay_http_requests_total{route="healthz",code="200"} 2`) {
		t.Errorf("metrics do not count the health checks:\n%s", body)
	}
	if _, err := os.Stat(filepath.Join(m.Config.DataDir, "patchbay.db")); err != nil {
		t.Errorf("database not created: %v", err)
	}
}

func TestServeHealthUnavailableAfterDBClosed(t *testing.T) {
	m := startMain(t)
	db := m.DB
	db.Close()
	code, body, _ := get(t, m.URL()+"/healthz")
	if code != http.StatusServiceUnavailable {
		t.Errorf("GET /healthz with closed db = %d %s, want 503", code, body)
	}
}

func TestServePortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var stderr bytes.Buffer
	code := run(t.Context(), []string{"serve", "--addr", ln.Addr().String(), "--data", t.TempDir()}, noEnv, io.Discard, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "address already in use") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	if strings.Contains(stderr.String(), "goroutine") {
		t.Errorf("stderr has a stack trace: %s", stderr.String())
	}
}

func TestServeUnwritableDataDir(t *testing.T) {
	// A path below a regular file cannot be created, even by root.
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	var stderr bytes.Buffer
	code := run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(file, "data")}, noEnv, io.Discard, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "data directory") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	if os.Geteuid() != 0 && runtime.GOOS != "windows" {
		ro := filepath.Join(t.TempDir(), "ro")
		os.Mkdir(ro, 0o500)
		stderr.Reset()
		code = run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0", "--data", ro}, noEnv, io.Discard, &stderr)
		if code != 1 || !strings.Contains(stderr.String(), "not writable") {
			t.Errorf("read-only dir: exit %d, stderr %q", code, stderr.String())
		}
	}
}

func TestServeBadFlag(t *testing.T) {
	var stderr bytes.Buffer
	code := run(t.Context(), []string{"serve", "--no-such-flag"}, noEnv, io.Discard, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "flag provided but not defined: -no-such-flag") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	stderr.Reset()
	code = run(t.Context(), []string{"serve", "--log-level", "loud"}, noEnv, io.Discard, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), `log level "loud"`) {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	stderr.Reset()
	if code := run(t.Context(), []string{"frobnicate"}, noEnv, io.Discard, &stderr); code != 2 {
		t.Errorf("unknown command exit %d", code)
	}
}

func TestServeGracefulShutdownOnSignal(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	dir := t.TempDir()
	// Reserve a port, release it, and serve on it.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	done := make(chan int, 1)
	var stderr syncBuffer
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr, "--data", dir}, noEnv, io.Discard, &stderr)
	}()
	// Wait until it serves.
	var ok bool
	for range 200 {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			ok = resp.StatusCode == 200
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !ok {
		t.Fatalf("server did not come up: %s", stderr.String())
	}
	cancel() // what SIGINT/SIGTERM does through signal.NotifyContext
	if code := <-done; code != 0 {
		t.Errorf("exit %d after shutdown, stderr %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Errorf("no shutdown log: %s", stderr.String())
	}
}

func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "patchbay.conf")
	os.WriteFile(file, []byte("# comment\naddr = 127.0.0.1:1111\ndata = /from/file\nlog-level = warn\n"), 0o600)
	env := map[string]string{"PATCHBAY_CONFIG": file, "PATCHBAY_DATA": "/from/env"}
	cfg, _, err := parseConfig("serve", []string{"--log-level", "debug"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:1111" || cfg.DataDir != "/from/env" || cfg.LogLevel != "debug" || cfg.File != file {
		t.Errorf("config = %+v", cfg)
	}
	os.WriteFile(file, []byte("port = 1\n"), 0o600)
	if _, _, err := parseConfig("serve", nil, func(k string) string { return env[k] }, io.Discard); err == nil || !strings.Contains(err.Error(), `unknown setting "port"`) {
		t.Errorf("unknown key error = %v", err)
	}
	cfg, _, err = parseConfig("serve", nil, noEnv, io.Discard)
	if err != nil || cfg.Addr != ":8530" || cfg.DataDir != "./data" {
		t.Errorf("defaults = %+v, %v", cfg, err)
	}
}

func noEnv(string) string { return "" }
