package patchbay_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "patchbay"

// allowedImports is the import direction of docs/architecture.md: for each
// package, the project packages it may import (non-test files). A package
// missing from this table fails the test, so new packages take a deliberate
// place in the layering.
var allowedImports = map[string][]string{
	"":                          nil,                 // the root package: domain types, no I/O
	"internal/soap":             {"internal/xpress"}, // the transport negotiates the xpress encoding (MS-WUSP §2.1.1)
	"internal/soap/soaptest":    {"internal/soap"},
	"internal/xpress":           nil,
	"internal/cab":              nil,
	"internal/metrics":          nil,
	"internal/router":           nil,
	"internal/cookie":           nil,
	"internal/schemacheck":      nil,
	"internal/snapshot":         {"", "internal/catalog", "internal/store"},
	"internal/updatexml":        {""},
	"internal/catalog":          {""},
	"internal/refcatalog":       {""},
	"internal/store":            {""},
	"internal/store/storetest":  {"", "internal/store"},
	"internal/store/sqlite":     {"", "internal/store"},
	"internal/store/postgres":   {"", "internal/store"},
	"internal/content":          {""},
	"internal/content/disk":     {"", "internal/content"},
	"internal/content/download": {"", "internal/content"},
	"internal/importer":         {"", "internal/store", "internal/updatexml", "internal/content"},
	"internal/reporting":        {"", "internal/store"},
	"internal/clientsync":       {"", "internal/catalog", "internal/cookie", "internal/content", "internal/wusp"},
	"internal/admin":            {"", "internal/store"},
	"internal/adminapi":         {"", "internal/admin", "internal/store"},
	"internal/applicability":    {""},
	"internal/agent":            {"", "internal/applicability", "internal/wusp", "internal/soap", "internal/content", "internal/content/download", "internal/cab"},
	// agenttest is a test fixture (like net/http/httptest): an in-process
	// server for the agent's tests, wired as cmd/patchbay wires it.
	"internal/agent/agenttest": {"", "internal/clientsync", "internal/content", "internal/content/disk", "internal/cookie",
		"internal/importer", "internal/refcatalog", "internal/reporting", "internal/snapshot", "internal/store/sqlite", "internal/wusp"},
	"internal/agent/swarm": {"", "internal/agent", "internal/applicability", "internal/wusp", "internal/soap"},
	"internal/wusp":        {"", "internal/soap", "internal/xpress"},
	"internal/wsusss":      {"", "internal/soap", "internal/xpress", "internal/cab"},
}

// sqlDrivers may be imported only by the per-backend store packages.
var sqlDrivers = []string{"modernc.org/sqlite", "github.com/jackc/pgx"}

type listedPackage struct {
	ImportPath string
	Doc        string
	Imports    []string
	Deps       []string
}

func listPackages(t *testing.T) []listedPackage {
	t.Helper()
	out, err := exec.Command("go", "list", "-e", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func rel(importPath string) string {
	return strings.TrimPrefix(strings.TrimPrefix(importPath, module), "/")
}

func TestImportDirection(t *testing.T) {
	for _, p := range listPackages(t) {
		name := rel(p.ImportPath)
		if strings.HasPrefix(name, "cmd/") {
			continue // wiring may import anything below it; checked separately
		}
		allowed, ok := allowedImports[name]
		if !ok {
			t.Errorf("package %q is not in allowedImports: give it a place in the layering", p.ImportPath)
			continue
		}
		for _, imp := range p.Imports {
			if imp == module || strings.HasPrefix(imp, module+"/") {
				if !slices.Contains(allowed, rel(imp)) {
					t.Errorf("%s imports %s, which docs/architecture.md does not allow", p.ImportPath, imp)
				}
				continue
			}
			for _, d := range sqlDrivers {
				if strings.HasPrefix(imp, d) && name != "internal/store/sqlite" && name != "internal/store/postgres" {
					t.Errorf("%s imports SQL driver %s; only store/sqlite and store/postgres may", p.ImportPath, imp)
				}
			}
		}
	}
}

// TestAgentLinksNoServerSide keeps the update agent binary free of the
// database, the stores and the console (architecture.md).
func TestAgentLinksNoServerSide(t *testing.T) {
	for _, p := range listPackages(t) {
		if rel(p.ImportPath) != "cmd/patchbay-agent" {
			continue
		}
		for _, d := range p.Deps {
			if d == "database/sql" || strings.HasPrefix(d, module+"/internal/store") || strings.HasPrefix(d, module+"/internal/console") {
				t.Errorf("cmd/patchbay-agent links %s", d)
			}
		}
	}
}

func TestPackageDocs(t *testing.T) {
	for _, p := range listPackages(t) {
		if strings.TrimSpace(p.Doc) == "" {
			t.Errorf("package %s has no package doc comment", p.ImportPath)
		}
	}
}

// TestNoBannedPackageNames enforces style.md's naming rules.
func TestNoBannedPackageNames(t *testing.T) {
	banned := []string{"util", "utils", "common", "helpers", "models", "types", "misc", "http", "sql", "xml", "sync", "errors"}
	for _, p := range listPackages(t) {
		sc := bufio.NewScanner(strings.NewReader(strings.ReplaceAll(p.ImportPath, "/", "\n")))
		for sc.Scan() {
			if slices.Contains(banned, sc.Text()) {
				t.Errorf("package path %s uses banned name %q", p.ImportPath, sc.Text())
			}
		}
	}
}
