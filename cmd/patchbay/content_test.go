package main

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"patchbay/internal/content"
)

// TestServeContentAndSelfUpdate checks that the running server serves content
// by digest with ranges, and that the self-update directory exists.
func TestServeContentAndSelfUpdate(t *testing.T) {
	m := startMain(t)
	data := bytes.Repeat([]byte("patchbay content "), 1000)
	s1, s256 := sha1.Sum(data), sha256.Sum256(data)
	if err := m.Content.Put(t.Context(), s1[:], s256[:], int64(len(data)), ".cab", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", m.URL()+content.Path(s1[:], ".cab"), nil)
	req.Header.Set("Range", "bytes=17-33")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || string(body) != string(data[17:34]) {
		t.Errorf("ranged GET = %d %q", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/octet-stream" {
		t.Errorf("Content-Type = %q", ct)
	}

	if code, _, _ := get(t, m.URL()+"/selfupdate/wuident.cab"); code != http.StatusNotFound {
		t.Errorf("GET missing wuident.cab = %d, want 404", code)
	}
	os.WriteFile(filepath.Join(m.Config.DataDir, "selfupdate", "wuident.cab"), []byte("cab"), 0o644)
	if code, body, _ := get(t, m.URL()+"/SelfUpdate/WUIDENT.CAB"); code != 200 || body != "cab" {
		t.Errorf("GET placed wuident.cab = %d %q", code, body)
	}
}
