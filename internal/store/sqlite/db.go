// Package sqlite is Patchbay's embedded store: one SQLite database file in
// WAL mode, used by a single-process (small site) server. It imports the
// SQLite driver; no other package outside store/* may.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"patchbay"

	sqlite3 "modernc.org/sqlite"
	sqlitelib "modernc.org/sqlite/lib"
)

// timeFormat is how times are stored: UTC, fixed width, so text order is
// time order.
const timeFormat = "2006-01-02T15:04:05.000000000Z"

// DB is an open SQLite store. Its methods are safe for concurrent use.
// Writes are serialized on one connection; reads run on a pool of read-only
// connections and see the last committed state (WAL snapshot isolation).
type DB struct {
	// Now returns the current time; it stamps imported_at, last_change and
	// the catalog version. Nil means time.Now.
	Now func() time.Time

	path string
	rw   *sql.DB // one connection; BEGIN IMMEDIATE
	ro   *sql.DB // query_only connections
}

// Open opens (creating if needed) the database file at path and applies any
// pending migrations. The caller must Close the DB. A path that is empty or
// contains '?' returns an EInvalid error.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" || strings.ContainsRune(path, '?') {
		return nil, patchbay.Errorf(patchbay.EInvalid, "invalid database path %q", path)
	}
	const common = "_busy_timeout=10000&_foreign_keys=1&_journal_mode=WAL&_synchronous=NORMAL"
	rw, err := sql.Open("sqlite", path+"?_txlock=immediate&"+common)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// One writer connection: database/sql queues writers (honouring ctx)
	// instead of SQLite returning SQLITE_BUSY to all but one.
	rw.SetMaxOpenConns(1)
	rw.SetConnMaxIdleTime(0)
	db := &DB{path: path, rw: rw}
	if err := db.migrate(ctx); err != nil {
		rw.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	ro, err := sql.Open("sqlite", path+"?_query_only=1&"+common)
	if err != nil {
		rw.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	ro.SetMaxOpenConns(n)
	ro.SetMaxIdleConns(n)
	db.ro = ro
	return db, nil
}

// Close closes the database. It does not wait for running queries beyond
// what database/sql does.
func (db *DB) Close() error {
	var errs []error
	if db.ro != nil {
		errs = append(errs, db.ro.Close())
	}
	if db.rw != nil {
		// Fold the WAL back into the main file so the file alone is a
		// complete copy for backups.
		_, _ = db.rw.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		errs = append(errs, db.rw.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close %s: %w", db.path, err)
	}
	return nil
}

func (db *DB) now() time.Time {
	if db.Now != nil {
		return db.Now().UTC()
	}
	return time.Now().UTC()
}

// write runs fn in a write transaction and commits when fn returns nil.
func (db *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.rw.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// read runs fn in a read-only transaction, so that several queries see one
// snapshot.
func (db *DB) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.ro.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeFormat)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

// isConstraint reports whether err is a UNIQUE or PRIMARY KEY violation.
func isConstraint(err error) bool {
	var se *sqlite3.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() {
	case sqlitelib.SQLITE_CONSTRAINT_UNIQUE, sqlitelib.SQLITE_CONSTRAINT_PRIMARYKEY:
		return true
	}
	return false
}
