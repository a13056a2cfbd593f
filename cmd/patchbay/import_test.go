package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenerateAndImport runs the README's path: generate a reference
// catalog, import it, import it again (a no-op), and import a folder with a
// broken document (rejected with its XPath, the rest imported).
func TestGenerateAndImport(t *testing.T) {
	ref := filepath.Join(t.TempDir(), "refcat")
	data := filepath.Join(t.TempDir(), "data")
	var out, errb bytes.Buffer
	if code := run(t.Context(), []string{"catalog", "generate", "--revisions", "300", "--out", ref}, noEnv, &out, &errb); code != 0 {
		t.Fatalf("catalog generate: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "generated 300 revisions") {
		t.Errorf("generate output: %s", out.String())
	}
	out.Reset()
	if code := run(t.Context(), []string{"import", "--data", data, ref}, noEnv, &out, &errb); code != 0 {
		t.Fatalf("import: exit %d: %s%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "300 added, 0 updated, 0 unchanged, 0 rejected") {
		t.Errorf("first import: %s", out.String())
	}
	if !strings.Contains(out.String(), "content: ") {
		t.Errorf("first import stored no content: %s", out.String())
	}
	out.Reset()
	if code := run(t.Context(), []string{"import", "--data", data, ref}, noEnv, &out, &errb); code != 0 {
		t.Fatalf("re-import: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "0 added, 0 updated, 300 unchanged, 0 rejected") {
		t.Errorf("re-import: %s", out.String())
	}

	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "broken.xml"), []byte(`<upd:Update xmlns:upd="http://schemas.microsoft.com/msus/2002/12/Update"><upd:UpdateIdentity UpdateID="not-a-guid" RevisionNumber="1"/></upd:Update>`), 0o644)
	names, _ := filepath.Glob(filepath.Join(ref, "metadata", "*.xml"))
	b, _ := os.ReadFile(names[0])
	os.WriteFile(filepath.Join(bad, "good.xml"), b, 0o644)
	out.Reset()
	errb.Reset()
	code := run(t.Context(), []string{"import", "--data", data, bad}, noEnv, &out, &errb)
	if code != 1 || !strings.Contains(out.String(), "1 rejected") || !strings.Contains(out.String(), "/Update/UpdateIdentity/@UpdateID") {
		t.Errorf("import with a bad file: exit %d\n%s%s", code, out.String(), errb.String())
	}
	if code := run(t.Context(), []string{"import", "--data", data}, noEnv, io.Discard, io.Discard); code != 2 {
		t.Errorf("import without PATH: exit %d, want 2", code)
	}
	if code := run(t.Context(), []string{"import", "--data", data, filepath.Join(bad, "missing")}, noEnv, io.Discard, &errb); code != 1 {
		t.Errorf("import of a missing path: exit %d, want 1", code)
	}
}
