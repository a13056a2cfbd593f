package applicability

import (
	"embed"
	"io/fs"
	"path"
	"strings"

	"patchbay"
)

// builtin holds the example machine profiles, so that the agent's swarm can
// simulate realistic machines without files of its own.
//
//go:embed testdata/profiles/*.json
var builtin embed.FS

// BuiltinProfiles lists the names of the embedded example profiles
// ("windows11-x64-en-us", "windows10-x64-de-de",
// "windows-server-2022-x64-en-us", "windows11-arm64-fr-fr"), sorted.
func BuiltinProfiles() []string {
	entries, _ := fs.ReadDir(builtin, "testdata/profiles")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".json"))
	}
	return names
}

// BuiltinProfile returns a fresh copy of the embedded profile name; each call
// gives an independent Profile. An unknown name is a NotFound error.
func BuiltinProfile(name string) (*Profile, error) {
	data, err := builtin.ReadFile(path.Join("testdata/profiles", name+".json"))
	if err != nil || strings.ContainsAny(name, `/\`) {
		return nil, patchbay.Errorf(patchbay.ENotFound, "applicability: no built-in profile %q", name)
	}
	return decodeProfile(data, name+".json")
}
