package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"strings"
)

// Config is the server's configuration. Precedence, lowest first: built-in
// defaults, the config file, PATCHBAY_* environment variables, flags.
type Config struct {
	Addr     string // listen address; default ":8530"
	DataDir  string // SQLite database and content; default "./data"
	LogLevel string // debug, info, warn, error; default "info"
	LogJSON  bool   // JSON logs instead of text; default false
	File     string // config file read, if any
	PageSize int    // most NewUpdates per SyncUpdates answer; 0: clientsync's default
	// ApprovedOnly offers clients only approved updates and their
	// dependencies; the default offers every non-declined update with
	// Action Evaluate, as WSUS does, so that "needed" counts exist before
	// approval (protocol-wusp.md trap 27).
	ApprovedOnly bool
	// Targeting is "server" (administrators assign computers to groups) or
	// "client" (computers name their groups through the TargetGroup
	// policy); empty keeps what the database holds (server on a new one).
	Targeting string
	// ContentURL, when set, is where clients download content instead of
	// this server's /Content (a CDN, or Microsoft Update when content is
	// left there); file URLs become ContentURL + /Content/XX/SHA1.ext.
	ContentURL string
}

// configKeys are the settings a config file and the environment may set, by
// flag name. The config file holds "key = value" lines with # comments.
var configKeys = []string{"addr", "data", "log-level", "log-json", "page-size", "approved-only", "targeting", "content-url"}

func defaultConfig() Config {
	return Config{Addr: ":8530", DataDir: "./data", LogLevel: "info"}
}

// bind registers the flags of c on fs.
func (c *Config) bind(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address `HOST:PORT` (env PATCHBAY_ADDR)")
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data `DIR` holding the database and content (env PATCHBAY_DATA)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn or error (env PATCHBAY_LOG_LEVEL)")
	fs.BoolVar(&c.LogJSON, "log-json", c.LogJSON, "write logs as JSON (env PATCHBAY_LOG_JSON)")
	fs.IntVar(&c.PageSize, "page-size", c.PageSize, "most updates per SyncUpdates answer; 0 means 200 (env PATCHBAY_PAGE_SIZE)")
	fs.BoolVar(&c.ApprovedOnly, "approved-only", c.ApprovedOnly, "offer clients only approved updates, not every non-declined one as WSUS does (env PATCHBAY_APPROVED_ONLY)")
	fs.StringVar(&c.Targeting, "targeting", c.Targeting, "target groups from the `server` (administrator assigns) or the `client` (TargetGroup policy) (env PATCHBAY_TARGETING)")
	fs.StringVar(&c.ContentURL, "content-url", c.ContentURL, "base `URL` clients download content from instead of this server (env PATCHBAY_CONTENT_URL)")
	fs.StringVar(&c.File, "config", c.File, "config `FILE` of key = value lines (env PATCHBAY_CONFIG)")
}

// parseConfig builds a Config from the config file, environment and args.
// getenv is os.Getenv outside tests.
func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (Config, *flag.FlagSet, error) {
	c := defaultConfig()
	fs := flag.NewFlagSet("patchbay "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.bind(fs)

	// The config file may be named by flag or environment; find it first.
	file := getenv("PATCHBAY_CONFIG")
	for i, a := range args {
		switch {
		case a == "--config" || a == "-config":
			if i+1 < len(args) {
				file = args[i+1]
			}
		case strings.HasPrefix(a, "--config=") || strings.HasPrefix(a, "-config="):
			file = a[strings.IndexByte(a, '=')+1:]
		}
	}
	if file != "" {
		if err := c.readFile(fs, file); err != nil {
			return c, fs, err
		}
	}
	for _, k := range configKeys {
		env := "PATCHBAY_" + strings.ToUpper(strings.ReplaceAll(k, "-", "_"))
		if v := getenv(env); v != "" {
			if err := fs.Set(k, v); err != nil {
				return c, fs, fmt.Errorf("environment %s=%q: %v", env, v, err)
			}
		}
	}
	if err := fs.Parse(args); err != nil {
		return c, fs, err
	}
	return c, fs, c.validate()
}

func (c *Config) readFile(fs *flag.FlagSet, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return fmt.Errorf("config file %s:%d: want key = value, got %q", path, n, line)
		}
		k, v = strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), `"`)
		if !slices.Contains(configKeys, k) {
			return fmt.Errorf("config file %s:%d: unknown setting %q (known: %s)", path, n, k, strings.Join(configKeys, ", "))
		}
		if err := fs.Set(k, v); err != nil {
			return fmt.Errorf("config file %s:%d: %s: %v", path, n, k, err)
		}
	}
	c.File = path
	return sc.Err()
}

func (c *Config) validate() error {
	if _, err := parseLevel(c.LogLevel); err != nil {
		return err
	}
	switch c.Targeting {
	case "", "server", "client":
	default:
		return fmt.Errorf("targeting %q: want server or client", c.Targeting)
	}
	if c.ContentURL != "" {
		if u, err := url.Parse(c.ContentURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("content-url %q: want an http or https URL", c.ContentURL)
		}
	}
	if c.DataDir == "" {
		return errors.New("data directory must not be empty")
	}
	return nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("log level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

// newLogger returns the structured logger the config asks for.
func (c *Config) newLogger(w io.Writer) *slog.Logger {
	lvl, _ := parseLevel(c.LogLevel)
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
