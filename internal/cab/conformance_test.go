package cab

import (
	"bytes"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"unicode/utf16"
)

// realDir holds real WSUS traffic (see its README); tests using it skip when
// ../shared is absent.
const realDir = "../../../shared/data/real/wsus-rs/wsus-m0-wsusss"

type realBlob struct {
	exchange string
	id, rev  string
	cab      []byte
}

var (
	reUpdateData = regexp.MustCompile(`(?s)<ServerSyncUpdateData>.*?</ServerSyncUpdateData>`)
	reUpdateID   = regexp.MustCompile(`<UpdateID>([^<]+)</UpdateID><RevisionNumber>([0-9]+)</RevisionNumber>`)
	reCompressed = regexp.MustCompile(`<XmlUpdateBlobCompressed>([^<]+)</XmlUpdateBlobCompressed>`)
)

// realBlobs returns every XmlUpdateBlobCompressed of the captured
// GetUpdateData responses, or skips the test when ../shared is absent.
func realBlobs(tb testing.TB) []realBlob {
	tb.Helper()
	bodies, _ := filepath.Glob(filepath.Join(realDir, "exchanges", "*", "response.body"))
	if len(bodies) == 0 {
		tb.Skip("conformance data absent: ", realDir)
	}
	var blobs []realBlob
	for _, path := range bodies {
		body, err := os.ReadFile(path)
		if err != nil {
			tb.Fatal(err)
		}
		for _, item := range reUpdateData.FindAll(body, -1) {
			m := reCompressed.FindSubmatch(item)
			if m == nil {
				continue
			}
			cab, err := base64.StdEncoding.DecodeString(string(m[1]))
			if err != nil {
				tb.Fatalf("%s: base64: %v", path, err)
			}
			b := realBlob{exchange: filepath.Base(filepath.Dir(path)), cab: cab}
			if id := reUpdateID.FindSubmatch(item); id != nil {
				b.id, b.rev = string(id[1]), string(id[2])
			}
			blobs = append(blobs, b)
		}
	}
	if len(blobs) == 0 {
		tb.Fatal("no XmlUpdateBlobCompressed in the captured responses")
	}
	return blobs
}

func utf16leToString(tb testing.TB, b []byte) string {
	tb.Helper()
	if len(b)%2 != 0 {
		tb.Fatalf("UTF-16LE payload has odd length %d", len(b))
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	return string(utf16.Decode(u))
}

// TestConformanceRealBlobs decodes the real LZX blobs of a Windows Server 2025
// WSUS and compares them to the XML documents regenerated from them and, when
// installed, to cabextract's output. It depends on ../shared and skips
// without it.
func TestConformanceRealBlobs(t *testing.T) {
	cabextract, _ := exec.LookPath("cabextract")
	compared := 0
	for _, b := range realBlobs(t) {
		t.Run(b.exchange+"/"+b.id, func(t *testing.T) {
			c, err := Open(bytes.NewReader(b.cab), int64(len(b.cab)))
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if len(c.Folders) != 1 || c.Folders[0].Compression != LZX(21) {
				t.Errorf("folders = %+v, want one LZX(21)", c.Folders)
			}
			got, err := ExtractBlob(b.cab, 0)
			if err != nil {
				t.Fatalf("ExtractBlob: %v", err)
			}
			if int64(len(got)) != c.Files[0].Size {
				t.Errorf("len = %d, want cbFile %d", len(got), c.Files[0].Size)
			}
			if !bytes.HasPrefix(got, []byte{'<', 0, 'u', 0, 'p', 0, 'd', 0}) {
				t.Errorf("payload starts % x, want UTF-16LE <upd", got[:min(8, len(got))])
			}
			xml := utf16leToString(t, got)
			doc, err := os.ReadFile(filepath.Join(realDir, "docs", b.id+"-r"+b.rev+".xml"))
			if err == nil {
				compared++
				if xml != string(doc) {
					t.Errorf("decoded XML (%d bytes) differs from docs/%s-r%s.xml (%d bytes)", len(xml), b.id, b.rev, len(doc))
				}
			}
			if cabextract != "" {
				dir := t.TempDir()
				path := filepath.Join(dir, "blob.cab")
				if err := os.WriteFile(path, b.cab, 0o644); err != nil {
					t.Fatal(err)
				}
				want, err := exec.Command(cabextract, "-q", "-p", path).Output()
				if err != nil {
					t.Fatalf("cabextract -p: %v", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("ExtractBlob differs from cabextract -p (%d vs %d bytes)", len(got), len(want))
				}
			}
		})
	}
	t.Logf("compared %d blobs with regenerated documents", compared)
}
