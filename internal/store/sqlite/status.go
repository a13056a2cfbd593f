package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"patchbay"
	"patchbay/internal/store"
)

// upsertStatus applies one assertion with "the newer event wins": the row
// takes the state unless it was asserted by a newer event; changed moves
// only when the state differs (protocol-wusp.md §8.6 rule 2: unchanged rows
// keep their change time).
const upsertStatus = `INSERT INTO update_status (computer_id, update_id, state, changed, asserted)
	VALUES (?1, ?2, ?3, ?4, ?4)
	ON CONFLICT (computer_id, update_id) DO UPDATE SET
		changed = CASE WHEN state <> excluded.state THEN excluded.changed ELSE changed END,
		state = excluded.state,
		asserted = excluded.asserted
	WHERE excluded.asserted >= asserted`

// ApplyStatus applies what the reporting package derived from one batch of
// a computer's events, in one transaction (see store.StatusChanges for the
// rules). It returns EInvalid for a state outside patchbay.UpdateState's
// range or an empty update id, and store.ErrNotFound for an unknown
// computer.
func (db *DB) ApplyStatus(ctx context.Context, computerID string, c store.StatusChanges) error {
	id := normID(computerID)
	if c.Report != nil {
		for _, s := range c.Report.States {
			if err := validChange(s); err != nil {
				return err
			}
		}
	}
	for _, s := range c.Set {
		if err := validChange(s); err != nil {
			return err
		}
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		var lastReport string
		err := tx.QueryRowContext(ctx, `SELECT last_status_report FROM computers WHERE id = ?`, id).Scan(&lastReport)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("computer %s: %w", id, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		up, err := tx.PrepareContext(ctx, upsertStatus)
		if err != nil {
			return err
		}
		defer up.Close()
		if r := c.Report; r != nil && formatTime(r.At) >= lastReport {
			at := formatTime(r.At)
			named := make([]string, 0, len(r.States))
			for _, s := range r.States {
				uid := normID(s.UpdateID)
				named = append(named, uid)
				if _, err := up.ExecContext(ctx, id, uid, int(s.State), at); err != nil {
					return err
				}
			}
			list, _ := json.Marshal(named) // strings always encode
			if _, err := tx.ExecContext(ctx, `DELETE FROM update_status WHERE computer_id = ? AND asserted < ?
				AND update_id NOT IN (SELECT value FROM json_each(?))`, id, at, string(list)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE computers SET last_status_report = ? WHERE id = ?`, at, id); err != nil {
				return err
			}
		}
		for _, s := range c.Set {
			if _, err := up.ExecContext(ctx, id, normID(s.UpdateID), int(s.State), formatTime(s.At)); err != nil {
				return err
			}
		}
		if !c.Detected.IsZero() {
			if _, err := tx.ExecContext(ctx, `UPDATE computers SET last_detection = max(last_detection, ?) WHERE id = ?`,
				formatTime(c.Detected), id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("apply status of computer %s: %w", id, err)
	}
	return nil
}

func validChange(s store.StatusChange) error {
	if normID(s.UpdateID) == "" {
		return patchbay.Errorf(patchbay.EInvalid, "status change has no update id")
	}
	if s.State < patchbay.StateUnknown || s.State > patchbay.StatePendingReboot {
		return patchbay.Errorf(patchbay.EInvalid, "update state %d is out of range", int(s.State))
	}
	return nil
}

// Status returns the status rows of one computer, ordered by update id. A
// computer without rows has an unknown status for every update (it never
// reported), or has none applicable. It returns store.ErrNotFound for an
// unknown computer.
func (db *DB) Status(ctx context.Context, computerID string) ([]patchbay.UpdateStatus, error) {
	id := normID(computerID)
	var ss []patchbay.UpdateStatus
	err := db.read(ctx, func(tx *sql.Tx) error {
		if err := computerExists(ctx, tx, id); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT update_id, state, changed FROM update_status WHERE computer_id = ?
			ORDER BY update_id`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			s := patchbay.UpdateStatus{ComputerID: id}
			var changed string
			if err := rows.Scan(&s.UpdateID, &s.State, &changed); err != nil {
				return err
			}
			if s.Changed, err = parseTime(changed); err != nil {
				return err
			}
			ss = append(ss, s)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("status of computer %s: %w", id, err)
	}
	return ss, nil
}

// UpdateStatusCounts returns, per update id with any status row, the number
// of computers in each state. Updates no computer has a row for are absent.
func (db *DB) UpdateStatusCounts(ctx context.Context) (map[string]map[patchbay.UpdateState]int, error) {
	rows, err := db.ro.QueryContext(ctx, `SELECT update_id, state, count(*) FROM update_status GROUP BY update_id, state`)
	if err != nil {
		return nil, fmt.Errorf("update status counts: %w", err)
	}
	defer rows.Close()
	counts := map[string]map[patchbay.UpdateState]int{}
	for rows.Next() {
		var uid string
		var state patchbay.UpdateState
		var n int
		if err := rows.Scan(&uid, &state, &n); err != nil {
			return nil, fmt.Errorf("update status counts: %w", err)
		}
		if counts[uid] == nil {
			counts[uid] = map[patchbay.UpdateState]int{}
		}
		counts[uid][state] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("update status counts: %w", err)
	}
	return counts, nil
}

// ComputerStatusSummary counts one computer's status rows by state. It
// returns store.ErrNotFound for an unknown computer.
func (db *DB) ComputerStatusSummary(ctx context.Context, computerID string) (store.ComputerStatusSummary, error) {
	id := normID(computerID)
	ss, err := db.computerSummaries(ctx, id)
	if err == nil && len(ss) == 0 {
		err = fmt.Errorf("computer %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.ComputerStatusSummary{}, fmt.Errorf("status summary: %w", err)
	}
	return ss[0], nil
}

// ComputerStatusSummaries returns the summary of every computer, ordered by
// computer id.
func (db *DB) ComputerStatusSummaries(ctx context.Context) ([]store.ComputerStatusSummary, error) {
	ss, err := db.computerSummaries(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("status summaries: %w", err)
	}
	return ss, nil
}

func (db *DB) computerSummaries(ctx context.Context, id string) ([]store.ComputerStatusSummary, error) {
	where, args := "", []any{}
	if id != "" {
		where, args = "WHERE c.id = ?", []any{id}
	}
	var out []store.ComputerStatusSummary
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT c.id, c.last_status_report, c.last_detection, s.state, count(s.state)
			FROM computers c LEFT JOIN update_status s ON s.computer_id = c.id `+where+`
			GROUP BY c.id, s.state ORDER BY c.id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var cid, report, detect string
			var state sql.NullInt64
			var n int
			if err := rows.Scan(&cid, &report, &detect, &state, &n); err != nil {
				return err
			}
			if len(out) == 0 || out[len(out)-1].ComputerID != cid {
				s := store.ComputerStatusSummary{ComputerID: cid, Counts: map[patchbay.UpdateState]int{}}
				var err1, err2 error
				s.LastStatusReport, err1 = parseTime(report)
				s.LastDetection, err2 = parseTime(detect)
				if err := errors.Join(err1, err2); err != nil {
					return err
				}
				out = append(out, s)
			}
			if state.Valid {
				out[len(out)-1].Counts[patchbay.UpdateState(state.Int64)] = n
			}
		}
		return rows.Err()
	})
	return out, err
}
