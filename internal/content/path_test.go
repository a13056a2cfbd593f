package content

import (
	"bytes"
	"encoding/base64"
	"testing"
)

// workedExample is the digest of protocol-wusp.md §9.1 (FileDigest
// "h/W9BGlYUAaqXTp30cZi/SiV3c0=" of AM_Delta.exe).
func workedExample(t testing.TB) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString("h/W9BGlYUAaqXTp30cZi/SiV3c0=")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPath(t *testing.T) {
	sum := workedExample(t)
	padded := make([]byte, SHA1Size)
	padded[SHA1Size-1] = 0x0a
	tests := []struct {
		name string
		sha1 []byte
		ext  string
		want string
	}{
		{"worked example", sum, ".exe", "/Content/CD/87F5BD0469585006AA5D3A77D1C662FD2895DDCD.exe"},
		{"ext without dot", sum, "exe", "/Content/CD/87F5BD0469585006AA5D3A77D1C662FD2895DDCD.exe"},
		{"ext case kept", sum, ".CAB", "/Content/CD/87F5BD0469585006AA5D3A77D1C662FD2895DDCD.CAB"},
		{"no ext", sum, "", "/Content/CD/87F5BD0469585006AA5D3A77D1C662FD2895DDCD"},
		{"folder zero-padded", padded, ".cab", "/Content/0A/000000000000000000000000000000000000000A.cab"},
		{"short digest", sum[:19], ".exe", ""},
		{"bad ext", sum, "../x", ""},
		{"dot only", sum, ".", ""},
		{"double ext", sum, ".tar.gz", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Path(tc.sha1, tc.ext); got != tc.want {
				t.Errorf("Path(%x, %q) = %q, want %q", tc.sha1, tc.ext, got, tc.want)
			}
		})
	}
}

func TestParsePath(t *testing.T) {
	const hexd = "87F5BD0469585006AA5D3A77D1C662FD2895DDCD"
	sum := workedExample(t)
	tests := []struct {
		name string
		path string
		ext  string
		ok   bool
	}{
		{"canonical", "/Content/CD/" + hexd + ".exe", ".exe", true},
		{"lower case", "/content/cd/87f5bd0469585006aa5d3a77d1c662fd2895ddcd.exe", ".exe", true},
		{"mixed case", "/CONTENT/Cd/87f5BD0469585006aa5d3a77d1c662fd2895ddcd.EXE", ".EXE", true},
		{"double slashes", "//Content//CD///" + hexd + ".exe", ".exe", true},
		{"no extension", "/Content/CD/" + hexd, "", true},
		{"wrong folder", "/Content/CE/" + hexd + ".exe", "", false},
		{"short folder", "/Content/D/" + hexd + ".exe", "", false},
		{"other root", "/Contents/CD/" + hexd + ".exe", "", false},
		{"no root", "/CD/" + hexd + ".exe", "", false},
		{"extra segment", "/Content/CD/x/" + hexd + ".exe", "", false},
		{"trailing slash", "/Content/CD/" + hexd + ".exe/", "", false},
		{"parent segment", "/Content/CD/../CD/" + hexd + ".exe", "", false},
		{"parent after", "/Content/CD/" + hexd + ".exe/..", "", false},
		{"dot segment", "/Content/./CD/" + hexd + ".exe", "", false},
		{"traversal in ext", "/Content/CD/" + hexd + "./../../etc/passwd", "", false},
		{"backslash", "/Content\\CD\\" + hexd + ".exe", "", false},
		{"backslash traversal", "/Content/CD/..\\..\\" + hexd + ".exe", "", false},
		{"nul", "/Content/CD/" + hexd + ".exe\x00", "", false},
		{"ext without dot", "/Content/CD/" + hexd + "exe", "", false},
		{"empty ext", "/Content/CD/" + hexd + ".", "", false},
		{"not hex", "/Content/CD/" + "X7F5BD0469585006AA5D3A77D1C662FD2895DDCD.exe", "", false},
		{"short name", "/Content/CD/" + hexd[2:] + ".exe", "", false},
		{"base64 name", "/Content/0=/h_W9BGlYUAaqXTp30cZi_SiV3c0=.exe", "", false},
		{"directory", "/Content/CD/", "", false},
		{"root", "/Content/", "", false},
		{"empty", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ext, ok := ParsePath(tc.path)
			if ok != tc.ok || ext != tc.ext || (ok && !bytes.Equal(got, sum)) {
				t.Errorf("ParsePath(%q) = %x, %q, %v, want %x, %q, %v", tc.path, got, ext, ok, sum, tc.ext, tc.ok)
			}
		})
	}
}

func FuzzParsePath(f *testing.F) {
	f.Add("/Content/CD/87F5BD0469585006AA5D3A77D1C662FD2895DDCD.exe")
	f.Add("//content//cd/87f5bd0469585006aa5d3a77d1c662fd2895ddcd")
	f.Add("/Content/CD/../../etc/passwd")
	f.Fuzz(func(t *testing.T, p string) {
		sum, ext, ok := ParsePath(p)
		if !ok {
			return
		}
		// Whatever parses names a file inside its folder and round-trips.
		canon := Path(sum, ext)
		if canon == "" {
			t.Fatalf("ParsePath(%q) = %x, %q accepted, but Path rejects it", p, sum, ext)
		}
		again, ext2, ok := ParsePath(canon)
		if !ok || !bytes.Equal(again, sum) || ext2 != ext {
			t.Fatalf("ParsePath(Path(ParsePath(%q))) = %x, %q, %v", p, again, ext2, ok)
		}
		if bytes.Contains([]byte(ext), []byte("/")) || bytes.Contains([]byte(ext), []byte("..")) {
			t.Fatalf("ParsePath(%q) ext %q can escape", p, ext)
		}
	})
}
