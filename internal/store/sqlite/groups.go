package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"patchbay"
	"patchbay/internal/store"
)

// CreateGroup adds a computer target group and returns it as stored. An empty
// ID gets a new random GUID; an empty ParentID means All Computers, under
// which every group lives as in WSUS. It returns EInvalid for an empty name,
// store.ErrNotFound for an unknown parent and store.ErrConflict when the ID
// or the name (compared without case) is taken. It bumps the catalog version.
func (db *DB) CreateGroup(ctx context.Context, g patchbay.TargetGroup) (patchbay.TargetGroup, error) {
	g.Name = strings.TrimSpace(g.Name)
	if g.Name == "" {
		return patchbay.TargetGroup{}, patchbay.Errorf(patchbay.EInvalid, "target group name is empty")
	}
	if g.ID == "" {
		g.ID = newGUID()
	}
	g.ID = normID(g.ID)
	if g.ParentID == "" {
		g.ParentID = patchbay.AllComputersGroupID
	}
	g.ParentID = normID(g.ParentID)
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := groupExists(ctx, tx, g.ParentID); err != nil {
			return fmt.Errorf("parent: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO target_groups (id, name, parent_id, created_at) VALUES (?, ?, ?, ?)`,
			g.ID, g.Name, g.ParentID, formatTime(db.now()))
		if isConstraint(err) {
			return store.ErrConflict
		}
		if err != nil {
			return err
		}
		return db.bumpCatalog(ctx, tx)
	})
	if err != nil {
		return patchbay.TargetGroup{}, fmt.Errorf("create target group %q: %w", g.Name, err)
	}
	return g, nil
}

// Groups returns all target groups, the built-in ones included, ordered by
// name.
func (db *DB) Groups(ctx context.Context) ([]patchbay.TargetGroup, error) {
	rows, err := db.ro.QueryContext(ctx, `SELECT id, name, coalesce(parent_id, '') FROM target_groups
		ORDER BY name COLLATE NOCASE, id`)
	if err != nil {
		return nil, fmt.Errorf("target groups: %w", err)
	}
	defer rows.Close()
	var gs []patchbay.TargetGroup
	for rows.Next() {
		var g patchbay.TargetGroup
		if err := rows.Scan(&g.ID, &g.Name, &g.ParentID); err != nil {
			return nil, fmt.Errorf("target groups: %w", err)
		}
		gs = append(gs, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("target groups: %w", err)
	}
	return gs, nil
}

// DeleteGroup removes a target group and its approvals; computers left in
// no group move to Unassigned Computers. It returns EInvalid
// for the built-in All Computers and Unassigned Computers groups,
// store.ErrNotFound for an unknown id and store.ErrConflict while the group
// has child groups. It bumps the catalog version.
func (db *DB) DeleteGroup(ctx context.Context, id string) error {
	id = normID(id)
	if id == patchbay.AllComputersGroupID || id == patchbay.UnassignedComputersGroupID {
		return patchbay.Errorf(patchbay.EInvalid, "built-in target group %s cannot be deleted", id)
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := groupExists(ctx, tx, id); err != nil {
			return err
		}
		var children int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM target_groups WHERE parent_id = ?`, id).Scan(&children); err != nil {
			return err
		}
		if children > 0 {
			return fmt.Errorf("has %d child groups: %w", children, store.ErrConflict)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM target_groups WHERE id = ?`, id); err != nil {
			return err
		}
		// Its computers that are in no other group now go to Unassigned
		// Computers, as in WSUS.
		if _, err := tx.ExecContext(ctx, `INSERT INTO computer_groups (computer_id, group_id)
			SELECT id, ? FROM computers WHERE id NOT IN (SELECT computer_id FROM computer_groups)`,
			patchbay.UnassignedComputersGroupID); err != nil {
			return err
		}
		return db.bumpCatalog(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("delete target group %s: %w", id, err)
	}
	return nil
}

func groupExists(ctx context.Context, tx *sql.Tx, id string) error {
	return rowExists(ctx, tx, `SELECT 1 FROM target_groups WHERE id = ?`, "target group", id)
}

// rowExists runs query (which selects one row by id) and returns
// store.ErrNotFound, naming what, when it finds none.
func rowExists(ctx context.Context, tx *sql.Tx, query, what, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, query, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s %s: %w", what, id, store.ErrNotFound)
	}
	return err
}

// newGUID returns a random (version 4) GUID in lower-case canonical form.
func newGUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
