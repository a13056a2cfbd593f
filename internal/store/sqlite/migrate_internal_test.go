package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"
)

// TestMigrate0002OverExistingData applies 0002 to a database that holds
// data under schema 1 (a server upgraded in place).
func TestMigrate0002OverExistingData(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "patchbay.db")
	rw, err := sql.Open("sqlite", path+"?_txlock=immediate&_foreign_keys=1&_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	rw.SetMaxOpenConns(1)
	old := &DB{path: path, rw: rw}
	ms, err := migrations()
	if err != nil || len(ms) < 2 || ms[1].version != 2 {
		t.Fatalf("migrations() = %d, %v; want 0001 and 0002", len(ms), err)
	}
	if _, err := rw.ExecContext(ctx, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
		applied_at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if err := old.write(ctx, func(tx *sql.Tx) error { return old.applyMigration(ctx, tx, ms[0]) }); err != nil {
		t.Fatal(err)
	}
	if _, err := rw.ExecContext(ctx, `INSERT INTO target_groups (id, name, parent_id, created_at)
		VALUES ('c0ffee00-0000-4000-8000-000000000001', 'Servers', 'a0a08746-4dbe-4a37-9adf-9e7652c0b421', '2026-01-01T00:00:00.000000000Z')`); err != nil {
		t.Fatal(err)
	}
	rw.Close()

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open(schema 1) = %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if v, err := db.SchemaVersion(ctx); err != nil || v != ms[len(ms)-1].version {
		t.Errorf("SchemaVersion() = %d, %v; want %d", v, err, ms[len(ms)-1].version)
	}
	gs, err := db.Groups(ctx)
	if err != nil || len(gs) != 3 {
		t.Errorf("Groups() after migration = %v, %v; want 3", gs, err)
	}
	if _, err := db.TouchComputer(ctx, "e1da06a3-5601-43c9-bac3-52d5db701494", "pc1", nil, db.now()); err != nil {
		t.Errorf("TouchComputer() after migration = %v", err)
	}
}
