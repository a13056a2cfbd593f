package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// settings are the agent's knobs, filled from defaults, then the config
// file, then PATCHBAY_AGENT_* variables, then flags (each overriding the
// one before).
type settings struct {
	Server             string `json:"server"`
	ReportingServer    string `json:"reportingServer"`
	TargetGroups       string `json:"-"`
	DetectionFrequency string `json:"-"`
	Proxy              string `json:"proxy"`
	Data               string `json:"data"`
	Profile            string `json:"profile"`
	InstallMode        string `json:"installMode"`
	Bandwidth          string `json:"-"`
	Parallel           string `json:"-"`
	DNSName            string `json:"dnsName"`
}

// fileSettings is the config file: settings, where numbers may be written
// as JSON numbers and target groups as a list.
type fileSettings struct {
	settings
	TargetGroups       json.RawMessage `json:"targetGroups"`
	DetectionFrequency json.RawMessage `json:"detectionFrequency"`
	Bandwidth          json.RawMessage `json:"bandwidth"`
	Parallel           json.RawMessage `json:"parallel"`
}

// scalar returns a JSON string or number as text.
func scalar(name string, raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), nil
	}
	return "", fmt.Errorf("%s: want a string or a number", name)
}

// readConfigFile reads the JSON configuration file into o.
func readConfigFile(path string, o *settings) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f fileSettings
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	*o = f.settings
	var groups []string
	if len(f.TargetGroups) > 0 && json.Unmarshal(f.TargetGroups, &groups) == nil {
		o.TargetGroups = strings.Join(groups, ",")
	} else if o.TargetGroups, err = scalar("targetGroups", f.TargetGroups); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	for _, x := range []struct {
		name string
		raw  json.RawMessage
		dst  *string
	}{{"detectionFrequency", f.DetectionFrequency, &o.DetectionFrequency}, {"bandwidth", f.Bandwidth, &o.Bandwidth}, {"parallel", f.Parallel, &o.Parallel}} {
		if *x.dst, err = scalar(x.name, x.raw); err != nil {
			return fmt.Errorf("config file %s: %w", path, err)
		}
	}
	return nil
}

// knob ties one setting to its flag and environment variable.
type knob struct {
	flag, env string
	field     func(*settings) *string
	help      string
}

var knobs = []knob{
	{"server", "PATCHBAY_AGENT_SERVER", func(s *settings) *string { return &s.Server }, "update server URL"},
	{"reporting-server", "PATCHBAY_AGENT_REPORTING_SERVER", func(s *settings) *string { return &s.ReportingServer }, "reporting server URL (default --server)"},
	{"target-group", "PATCHBAY_AGENT_TARGET_GROUPS", func(s *settings) *string { return &s.TargetGroups }, "client-side target groups, comma-separated"},
	{"detection-frequency", "PATCHBAY_AGENT_DETECTION_FREQUENCY", func(s *settings) *string { return &s.DetectionFrequency }, "hours or a duration between scans"},
	{"proxy", "PATCHBAY_AGENT_PROXY", func(s *settings) *string { return &s.Proxy }, "HTTP proxy URL"},
	{"data", "PATCHBAY_AGENT_DATA", func(s *settings) *string { return &s.Data }, "data directory"},
	{"profile", "PATCHBAY_AGENT_PROFILE", func(s *settings) *string { return &s.Profile }, "machine profile file"},
	{"install-mode", "PATCHBAY_AGENT_INSTALL_MODE", func(s *settings) *string { return &s.InstallMode }, "simulate or command"},
	{"bandwidth", "PATCHBAY_AGENT_BANDWIDTH", func(s *settings) *string { return &s.Bandwidth }, "download limit in bytes/s (k, M, G suffixes)"},
	{"parallel", "PATCHBAY_AGENT_PARALLEL", func(s *settings) *string { return &s.Parallel }, "parallel downloads"},
	{"dns-name", "PATCHBAY_AGENT_DNS_NAME", func(s *settings) *string { return &s.DNSName }, "computer DNS name"},
}

// options are the parsed command line.
type options struct {
	settings
	json, optional, verbose bool
	// seedProfile is set when Profile is the default path, which a first
	// run may create from the built-in profile; a --profile that names a
	// missing file is an error instead.
	seedProfile bool
}

// parseOptions parses the flags of cmd and merges the config file and the
// environment under them.
func parseOptions(cmd string, args []string, getenv func(string) string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("patchbay-agent "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var flagged settings
	for _, k := range knobs {
		fs.StringVar(k.field(&flagged), k.flag, "", k.help)
	}
	configPath := fs.String("config", "", "JSON configuration file")
	o := &options{}
	fs.BoolVar(&o.json, "json", false, "machine-readable output")
	fs.BoolVar(&o.optional, "optional", false, "also install updates that are only offered")
	fs.BoolVar(&o.verbose, "v", false, "log to stderr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, usageError{errors.New("help requested")}
		}
		return nil, usageError{err}
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if *configPath == "" {
		*configPath = getenv("PATCHBAY_AGENT_CONFIG")
	}
	if *configPath != "" {
		if err := readConfigFile(*configPath, &o.settings); err != nil {
			return nil, err
		}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, k := range knobs {
		if v := getenv(k.env); v != "" {
			*k.field(&o.settings) = v
		}
		if set[k.flag] {
			*k.field(&o.settings) = *k.field(&flagged)
		}
	}
	if o.Data == "" {
		o.Data = "agent-data"
	}
	if o.Profile == "" {
		o.Profile = filepath.Join(o.Data, "profile.json")
		o.seedProfile = true
	}
	return o, nil
}

// detectionFrequency parses "22" (hours) or a Go duration.
func detectionFrequency(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if h, err := strconv.ParseFloat(s, 64); err == nil {
		if h <= 0 {
			return 0, fmt.Errorf("detection frequency %q: want a positive number of hours", s)
		}
		return time.Duration(h * float64(time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("detection frequency %q: want hours (22) or a duration (30m)", s)
	}
	return d, nil
}

// byteRate parses "500000", "512k", "10M", "1G" as bytes per second.
func byteRate(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	mult := int64(1)
	switch strings.ToUpper(s[len(s)-1:]) {
	case "K":
		mult, s = 1<<10, s[:len(s)-1]
	case "M":
		mult, s = 1<<20, s[:len(s)-1]
	case "G":
		mult, s = 1<<30, s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bandwidth %q: want bytes per second, e.g. 512k or 10M", s)
	}
	return n * mult, nil
}
