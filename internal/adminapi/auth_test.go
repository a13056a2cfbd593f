package adminapi_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"patchbay/internal/adminapi"
)

func TestLoadOrCreateToken(t *testing.T) {
	dir := t.TempDir()
	tok, created, err := adminapi.LoadOrCreateToken(dir)
	if err != nil || !created || len(tok) < 40 {
		t.Fatalf("LoadOrCreateToken(new) = %q, %v, %v", tok, created, err)
	}
	path := filepath.Join(dir, adminapi.TokenFile)
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode = %v, %v; want 0600", fi.Mode(), err)
	}
	again, created, err := adminapi.LoadOrCreateToken(dir)
	if err != nil || created || again != tok {
		t.Errorf("LoadOrCreateToken(existing) = %q, %v, %v; want the same token", again, created, err)
	}
	if got, err := adminapi.ReadToken(dir); err != nil || got != tok {
		t.Errorf("ReadToken = %q, %v", got, err)
	}
	// A file made readable by others is narrowed again.
	os.Chmod(path, 0o644)
	if _, _, err := adminapi.LoadOrCreateToken(dir); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode after reload = %v, want 0600", fi.Mode())
	}
	// Administrators may set their own token.
	os.WriteFile(path, []byte("  my-own-admin-token-123 \n"), 0o600)
	if got, _, err := adminapi.LoadOrCreateToken(dir); err != nil || got != "my-own-admin-token-123" {
		t.Errorf("LoadOrCreateToken(own token) = %q, %v", got, err)
	}
	os.WriteFile(path, []byte("short\n"), 0o600)
	if _, _, err := adminapi.LoadOrCreateToken(dir); err == nil || !strings.Contains(err.Error(), "at least 16") {
		t.Errorf("LoadOrCreateToken(short token) = %v", err)
	}
	if _, err := adminapi.ReadToken(t.TempDir()); err == nil || !strings.Contains(err.Error(), adminapi.TokenFile) {
		t.Errorf("ReadToken(empty dir) = %v", err)
	}
}
