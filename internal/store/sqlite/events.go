package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"patchbay"
	"patchbay/internal/store"

	sqlite3 "modernc.org/sqlite"
	sqlitelib "modernc.org/sqlite/lib"
)

// zeroGUID is the UpdateID of an event about no update (MS-WUSP §2.2.2.3.1).
const zeroGUID = "00000000-0000-0000-0000-000000000000"

// AppendEvents stores reported events (MS-WUSP §2.2.2.3.1) in one
// transaction and returns how many rows it added. Ids are stored in lower
// case and an empty UpdateID as the zero GUID.
//
// An event whose (ComputerID, InstanceID) is held already is skipped, so a
// resent batch adds nothing. Events that name no update keep only the newest
// row per computer, NamespaceID and EventID, as WSUS does (protocol-wusp.md
// §8.6 rule 1): a newer one replaces the held row and an older one is
// skipped. Every other event is appended.
//
// It returns EInvalid when an event has an empty ComputerID or InstanceID,
// and store.ErrNotFound when a ComputerID is not a stored computer; then
// nothing is stored.
func (db *DB) AppendEvents(ctx context.Context, events []patchbay.Event) (int, error) {
	for i := range events {
		if normID(events[i].ComputerID) == "" || normID(events[i].InstanceID) == "" {
			return 0, patchbay.Errorf(patchbay.EInvalid, "event %d has no computer id or instance id", i)
		}
	}
	inserted := 0
	err := db.write(ctx, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, `INSERT INTO events (computer_id, instance_id, time_at_target, time,
			received_at, namespace_id, event_id, source_id, update_id, revision_number, win32_hresult, app_name,
			replacement, misc_data, device_id, computer_brand, computer_model, bios_revision, processor_arch,
			os_version, os_locale_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (computer_id, instance_id) DO NOTHING`)
		if err != nil {
			return err
		}
		defer ins.Close()
		newer, err := tx.PrepareContext(ctx, `SELECT count(*) FROM events WHERE computer_id = ? AND namespace_id = ?
			AND event_id = ? AND update_id = '`+zeroGUID+`' AND time > ?`)
		if err != nil {
			return err
		}
		defer newer.Close()
		older, err := tx.PrepareContext(ctx, `DELETE FROM events WHERE computer_id = ? AND namespace_id = ?
			AND event_id = ? AND update_id = '`+zeroGUID+`' AND time < ?`)
		if err != nil {
			return err
		}
		defer older.Close()
		for i := range events {
			e := &events[i]
			cid, uid := normID(e.ComputerID), normID(e.UpdateID)
			if uid == "" {
				uid = zeroGUID
			}
			at := formatTime(e.Time)
			if uid == zeroGUID {
				var n int
				if err := newer.QueryRowContext(ctx, cid, e.NamespaceID, e.EventID, at).Scan(&n); err != nil {
					return err
				}
				if n > 0 {
					continue
				}
			}
			res, err := ins.ExecContext(ctx, cid, normID(e.InstanceID), formatTime(e.TimeAtTarget), at,
				formatTime(e.ReceivedAt), e.NamespaceID, e.EventID, e.SourceID, uid, e.RevisionNumber,
				e.Win32HResult, e.AppName, jsonStrings(e.Replacement), jsonStrings(e.MiscData), e.DeviceID,
				e.ComputerBrand, e.ComputerModel, e.BiosRevision, e.ProcessorArch, e.OSVersion, e.OSLocaleID)
			if isForeignKey(err) {
				return fmt.Errorf("computer %s: %w", cid, store.ErrNotFound)
			}
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if n == 0 {
				continue
			}
			inserted++
			if uid == zeroGUID {
				if _, err := older.ExecContext(ctx, cid, e.NamespaceID, e.EventID, at); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("append %d events: %w", len(events), err)
	}
	return inserted, nil
}

// Events returns stored events that match f, newest (corrected Time) first.
// A zero-update event has UpdateID set to the zero GUID.
func (db *DB) Events(ctx context.Context, f store.EventFilter) ([]patchbay.Event, error) {
	var where []string
	var args []any
	if f.ComputerID != "" {
		where, args = append(where, "computer_id = ?"), append(args, normID(f.ComputerID))
	}
	if f.UpdateID != "" {
		where, args = append(where, "update_id = ?"), append(args, normID(f.UpdateID))
	}
	if !f.Since.IsZero() {
		where, args = append(where, "time >= ?"), append(args, formatTime(f.Since))
	}
	q := `SELECT computer_id, instance_id, time_at_target, time, received_at, namespace_id, event_id, source_id,
		update_id, revision_number, win32_hresult, app_name, replacement, misc_data, device_id, computer_brand,
		computer_model, bios_revision, processor_arch, os_version, os_locale_id FROM events`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY time DESC, id DESC"
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	rows, err := db.ro.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	defer rows.Close()
	var es []patchbay.Event
	for rows.Next() {
		var e patchbay.Event
		var tat, t, recv, repl, misc string
		if err := rows.Scan(&e.ComputerID, &e.InstanceID, &tat, &t, &recv, &e.NamespaceID, &e.EventID, &e.SourceID,
			&e.UpdateID, &e.RevisionNumber, &e.Win32HResult, &e.AppName, &repl, &misc, &e.DeviceID,
			&e.ComputerBrand, &e.ComputerModel, &e.BiosRevision, &e.ProcessorArch, &e.OSVersion,
			&e.OSLocaleID); err != nil {
			return nil, fmt.Errorf("events: %w", err)
		}
		var errs [5]error
		e.TimeAtTarget, errs[0] = parseTime(tat)
		e.Time, errs[1] = parseTime(t)
		e.ReceivedAt, errs[2] = parseTime(recv)
		e.Replacement, errs[3] = parseStrings(repl)
		e.MiscData, errs[4] = parseStrings(misc)
		if err := errors.Join(errs[:]...); err != nil {
			return nil, fmt.Errorf("events: %w", err)
		}
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return es, nil
}

// jsonStrings encodes ss as a JSON array; nil and empty both become "[]".
func jsonStrings(ss []string) string {
	if len(ss) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(ss) // strings always encode
	return string(b)
}

// parseStrings decodes a JSON array of strings; "[]" gives nil.
func parseStrings(s string) ([]string, error) {
	if s == "[]" || s == "" {
		return nil, nil
	}
	var ss []string
	if err := json.Unmarshal([]byte(s), &ss); err != nil {
		return nil, fmt.Errorf("stored strings: %w", err)
	}
	return ss, nil
}

// isForeignKey reports whether err is a FOREIGN KEY violation.
func isForeignKey(err error) bool {
	var se *sqlite3.Error
	return errors.As(err, &se) && se.Code() == sqlitelib.SQLITE_CONSTRAINT_FOREIGNKEY
}
