package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"patchbay"
	"patchbay/internal/store"
)

// PutContent inserts or replaces the content row keyed by c.SHA1. It returns
// EInvalid when SHA1 is not 20 bytes or SHA256 is neither empty nor 32 bytes.
// A known SHA-256 is kept when c.SHA256 is empty.
func (db *DB) PutContent(ctx context.Context, c store.Content) error {
	if len(c.SHA1) != 20 || (len(c.SHA256) != 0 && len(c.SHA256) != 32) || c.Size < 0 {
		return patchbay.Errorf(patchbay.EInvalid, "content %x: bad digest length or size", c.SHA1)
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO content (sha1, sha256, size, path, present, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (sha1) DO UPDATE SET sha256 = coalesce(excluded.sha256, content.sha256),
			size = excluded.size, path = excluded.path, present = excluded.present, updated_at = excluded.updated_at`,
			c.SHA1, nilIfEmpty(c.SHA256), c.Size, c.Path, c.Present, formatTime(db.now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("put content %x: %w", c.SHA1, err)
	}
	return nil
}

// ContentBySHA1 returns the content row with the given SHA-1 digest, or
// store.ErrNotFound.
func (db *DB) ContentBySHA1(ctx context.Context, sha1 []byte) (store.Content, error) {
	var c store.Content
	var updated string
	err := db.ro.QueryRowContext(ctx, `SELECT sha1, sha256, size, path, present, updated_at FROM content WHERE sha1 = ?`,
		sha1).Scan(&c.SHA1, &c.SHA256, &c.Size, &c.Path, &c.Present, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err == nil {
		c.UpdatedAt, err = parseTime(updated)
	}
	if err != nil {
		return store.Content{}, fmt.Errorf("content %x: %w", sha1, err)
	}
	return c, nil
}
