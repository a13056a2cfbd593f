package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"patchbay"
	"patchbay/internal/store"
)

// validActions are the deployment actions an administrator may approve
// (MS-WUSP §2.2.2.2.4 Deployment/Action).
var validActions = map[patchbay.Action]bool{
	patchbay.ActionInstall: true, patchbay.ActionOptionalInstall: true, patchbay.ActionUninstall: true,
	patchbay.ActionPreDeploymentCheck: true, patchbay.ActionBlock: true, patchbay.ActionEvaluate: true,
	patchbay.ActionBundle: true,
}

// Approve records an administrator's decision for one update and target
// group. There is one decision per update and group, as in WSUS: approving
// another revision of the same update for the same group replaces it. A zero
// LastChange is set to Now. It returns EInvalid for an unknown action and
// store.ErrNotFound when the group or the revision is not held. It bumps the
// catalog version.
func (db *DB) Approve(ctx context.Context, a patchbay.Approval) error {
	if !validActions[a.Action] {
		return patchbay.Errorf(patchbay.EInvalid, "unknown approval action %q", a.Action)
	}
	a.UpdateID, a.GroupID = normID(a.UpdateID), normID(a.GroupID)
	if a.LastChange.IsZero() {
		a.LastChange = db.now()
	}
	var deadline any
	if !a.Deadline.IsZero() {
		deadline = formatTime(a.Deadline)
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := groupExists(ctx, tx, a.GroupID); err != nil {
			return err
		}
		if _, err := revisionID(ctx, tx, patchbay.RevisionKey{UpdateID: a.UpdateID, RevisionNumber: a.RevisionNumber}); err != nil {
			return fmt.Errorf("revision %s/%d: %w", a.UpdateID, a.RevisionNumber, err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO approvals (update_id, group_id, revision_number, action, deadline,
			download_priority, last_change, admin_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (update_id, group_id) DO UPDATE SET revision_number = excluded.revision_number,
			action = excluded.action, deadline = excluded.deadline, download_priority = excluded.download_priority,
			last_change = excluded.last_change, admin_name = excluded.admin_name`,
			a.UpdateID, a.GroupID, a.RevisionNumber, string(a.Action), deadline, int(a.DownloadPriority),
			formatTime(a.LastChange), a.AdminName)
		if err != nil {
			return err
		}
		return db.bumpCatalog(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("approve %s for group %s: %w", a.UpdateID, a.GroupID, err)
	}
	return nil
}

// Unapprove removes the decision for updateID in the target group. It
// returns store.ErrNotFound when there is none. It bumps the catalog version.
func (db *DB) Unapprove(ctx context.Context, updateID, groupID string) error {
	updateID, groupID = normID(updateID), normID(groupID)
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM approvals WHERE update_id = ? AND group_id = ?`, updateID, groupID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return store.ErrNotFound
		}
		return db.bumpCatalog(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("unapprove %s for group %s: %w", updateID, groupID, err)
	}
	return nil
}

// Approvals returns every approval, ordered by update and group.
func (db *DB) Approvals(ctx context.Context) ([]patchbay.Approval, error) {
	rows, err := db.ro.QueryContext(ctx, `SELECT update_id, revision_number, group_id, action, coalesce(deadline, ''),
		download_priority, last_change, admin_name FROM approvals ORDER BY update_id, group_id`)
	if err != nil {
		return nil, fmt.Errorf("approvals: %w", err)
	}
	defer rows.Close()
	var as []patchbay.Approval
	for rows.Next() {
		var a patchbay.Approval
		var deadline, last string
		if err := rows.Scan(&a.UpdateID, &a.RevisionNumber, &a.GroupID, &a.Action, &deadline,
			&a.DownloadPriority, &last, &a.AdminName); err != nil {
			return nil, fmt.Errorf("approvals: %w", err)
		}
		var err1, err2 error
		a.Deadline, err1 = parseTime(deadline)
		a.LastChange, err2 = parseTime(last)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("approvals: %w", err)
		}
		as = append(as, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("approvals: %w", err)
	}
	return as, nil
}
