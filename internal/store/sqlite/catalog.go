package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// bumpCatalog advances the catalog change counter inside tx.
func (db *DB) bumpCatalog(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx,
		`UPDATE catalog_version SET version = version + 1, changed_at = ? WHERE id = 1`,
		formatTime(db.now()))
	if err != nil {
		return fmt.Errorf("bump catalog version: %w", err)
	}
	return nil
}

// CatalogVersion returns the catalog change counter. It increases with every
// committed change to revisions, target groups or approvals, so a front-end
// rebuilds its catalog when the value differs from the one it built from.
func (db *DB) CatalogVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := db.ro.QueryRowContext(ctx, `SELECT version FROM catalog_version WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("catalog version: %w", err)
	}
	return v, nil
}
