package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"patchbay"
	"patchbay/internal/store"
)

// TouchComputer records a client's first contact of a session
// (GetAuthorizationCookie, MS-WUSP §3.1.5.3) and reports whether the
// computer was new. A new computer is stored with FirstSeen and LastContact
// at; an existing one gets LastContact moved forward to at. A non-empty
// dnsName replaces the stored one; a non-nil claimed replaces the claimed
// target group names (nil leaves them).
//
// Membership: with server-side targeting (the default setting) a new
// computer joins Unassigned Computers and an existing one keeps its groups.
// With client-side targeting the membership becomes, on every call, the
// existing groups named in the claimed names (matched without case), or
// Unassigned Computers when none match. It returns EInvalid for an empty id.
func (db *DB) TouchComputer(ctx context.Context, id, dnsName string, claimed []string, at time.Time) (bool, error) {
	id = normID(id)
	if id == "" {
		return false, patchbay.Errorf(patchbay.EInvalid, "computer id is empty")
	}
	var created bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		created, err = touchComputer(ctx, tx, id, strings.TrimSpace(dnsName), at)
		if err != nil {
			return err
		}
		if claimed != nil {
			if err := setClaimed(ctx, tx, id, claimed); err != nil {
				return err
			}
		}
		mode, err := targetingMode(ctx, tx)
		if err != nil {
			return err
		}
		switch {
		case mode == store.TargetingClient:
			names := claimed
			if names == nil {
				if names, err = claimedNames(ctx, tx, id); err != nil {
					return err
				}
			}
			return joinClaimedGroups(ctx, tx, id, names)
		case created:
			return setGroups(ctx, tx, id, nil)
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("touch computer %s: %w", id, err)
	}
	return created, nil
}

// touchComputer inserts the computer row unless it exists, else moves its
// last contact forward; it reports whether it inserted.
func touchComputer(ctx context.Context, tx *sql.Tx, id, dnsName string, at time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO computers (id, dns_name, first_seen, last_contact) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`, id, dnsName, formatTime(at), formatTime(at))
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, err
	} else if n == 1 {
		return true, nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE computers SET
		dns_name = CASE WHEN ? <> '' THEN ? ELSE dns_name END,
		last_contact = max(last_contact, ?) WHERE id = ?`, dnsName, dnsName, formatTime(at), id)
	return false, err
}

func setClaimed(ctx context.Context, tx *sql.Tx, id string, names []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM computer_claimed_groups WHERE computer_id = ?`, id); err != nil {
		return err
	}
	for i, n := range names {
		if _, err := tx.ExecContext(ctx, `INSERT INTO computer_claimed_groups (computer_id, ord, name) VALUES (?, ?, ?)`,
			id, i, n); err != nil {
			return err
		}
	}
	return nil
}

func claimedNames(ctx context.Context, tx *sql.Tx, id string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name FROM computer_claimed_groups WHERE computer_id = ? ORDER BY ord`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// joinClaimedGroups makes the computer's membership the groups named in
// names (client-side targeting). All Computers is implicit and never joined.
func joinClaimedGroups(ctx context.Context, tx *sql.Tx, id string, names []string) error {
	var ids []string
	for _, n := range names {
		var gid string
		err := tx.QueryRowContext(ctx, `SELECT id FROM target_groups WHERE name = ? COLLATE NOCASE`, strings.TrimSpace(n)).Scan(&gid)
		if errors.Is(err, sql.ErrNoRows) || gid == patchbay.AllComputersGroupID {
			continue
		}
		if err != nil {
			return err
		}
		ids = append(ids, gid)
	}
	return setGroups(ctx, tx, id, ids)
}

// setGroups replaces the membership; with no groups (or only Unassigned
// with others) the computer is in Unassigned Computers exactly when it is in
// no other group.
func setGroups(ctx context.Context, tx *sql.Tx, id string, groupIDs []string) error {
	slices.Sort(groupIDs)
	groupIDs = slices.Compact(groupIDs)
	if len(groupIDs) > 1 {
		groupIDs = slices.DeleteFunc(groupIDs, func(g string) bool { return g == patchbay.UnassignedComputersGroupID })
	}
	if len(groupIDs) == 0 {
		groupIDs = []string{patchbay.UnassignedComputersGroupID}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM computer_groups WHERE computer_id = ?`, id); err != nil {
		return err
	}
	for _, g := range groupIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO computer_groups (computer_id, group_id) VALUES (?, ?)`, id, g); err != nil {
			return err
		}
	}
	return nil
}

// SetComputerGroups replaces the target groups an administrator assigned the
// computer to (server-side targeting). An empty list, or one naming only
// Unassigned Computers, puts it in Unassigned Computers; naming other groups
// moves it out of Unassigned Computers. It returns store.ErrNotFound for an
// unknown computer or group and EInvalid for All Computers, which every
// computer is in implicitly. In client-side targeting the computer's next
// TouchComputer replaces the membership again.
func (db *DB) SetComputerGroups(ctx context.Context, id string, groupIDs []string) error {
	id = normID(id)
	ids := make([]string, len(groupIDs))
	for i, g := range groupIDs {
		ids[i] = normID(g)
		if ids[i] == patchbay.AllComputersGroupID {
			return patchbay.Errorf(patchbay.EInvalid, "computers cannot be assigned to All Computers")
		}
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := computerExists(ctx, tx, id); err != nil {
			return err
		}
		for _, g := range ids {
			if err := groupExists(ctx, tx, g); err != nil {
				return err
			}
		}
		return setGroups(ctx, tx, id, ids)
	})
	if err != nil {
		return fmt.Errorf("set groups of computer %s: %w", id, err)
	}
	return nil
}

// RegisterComputer stores the ComputerInfo of MS-WUSP §2.2.2.2.3 (every
// field of c but its groups and contact times) and marks the computer
// Registered (§3.1.5.5). It leaves the contact times to NoteContact. An
// unknown computer is created in Unassigned Computers with FirstSeen and
// LastContact set to Now. An empty ProtocolVersion leaves the
// stored one. It returns EInvalid for an empty id.
func (db *DB) RegisterComputer(ctx context.Context, c patchbay.Computer) error {
	id := normID(c.ID)
	if id == "" {
		return patchbay.Errorf(patchbay.EInvalid, "computer id is empty")
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		now := formatTime(db.now())
		res, err := tx.ExecContext(ctx, `INSERT INTO computers (id, first_seen, last_contact) VALUES (?, ?, ?)
			ON CONFLICT (id) DO NOTHING`, id, now, now)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			if err := setGroups(ctx, tx, id, nil); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE computers SET dns_name = ?, os_major = ?, os_minor = ?, os_build = ?,
			os_sp_major = ?, os_sp_minor = ?, os_locale = ?, os_description = ?, manufacturer = ?, model = ?,
			bios_version = ?, bios_name = ?, bios_release_date = ?, processor_architecture = ?, suite_mask = ?,
			old_product_type = ?, new_product_type = ?, system_metrics = ?, client_version = ?, oem = ?,
			device_type = ?, firmware_version = ?, mobile_operator = ?,
			protocol_version = CASE WHEN ? <> '' THEN ? ELSE protocol_version END, registered = 1
			WHERE id = ?`,
			strings.TrimSpace(c.DNSName), c.OSMajorVersion, c.OSMinorVersion, c.OSBuildNumber,
			c.OSServicePackMajorNumber, c.OSServicePackMinorNumber, c.OSLocale, c.OSDescription,
			c.ComputerManufacturer, c.ComputerModel, c.BiosVersion, c.BiosName, formatTime(c.BiosReleaseDate),
			c.ProcessorArchitecture, c.SuiteMask, c.OldProductType, c.NewProductType, c.SystemMetrics,
			c.ClientVersion, c.OEM, c.DeviceType, c.FirmwareVersion, c.MobileOperator,
			c.ProtocolVersion, c.ProtocolVersion, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("register computer %s: %w", id, err)
	}
	return nil
}

// NoteContact moves the contact times of kind forward to at (never back):
// LastContact always, and LastSync or LastReport for ContactSync and
// ContactReport. It is one UPDATE, cheap enough for every SOAP call. It
// returns store.ErrNotFound for an unknown computer.
func (db *DB) NoteContact(ctx context.Context, id string, kind store.ContactKind, at time.Time) error {
	id = normID(id)
	q := `UPDATE computers SET last_contact = max(last_contact, ?1) WHERE id = ?2`
	switch kind {
	case store.ContactCall:
	case store.ContactSync:
		q = `UPDATE computers SET last_contact = max(last_contact, ?1), last_sync = max(last_sync, ?1) WHERE id = ?2`
	case store.ContactReport:
		q = `UPDATE computers SET last_contact = max(last_contact, ?1), last_report = max(last_report, ?1) WHERE id = ?2`
	default:
		return patchbay.Errorf(patchbay.EInvalid, "unknown contact kind %d", int(kind))
	}
	res, err := db.rw.ExecContext(ctx, q, formatTime(at), id)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n == 0 {
			err = store.ErrNotFound
		}
	}
	if err != nil {
		return fmt.Errorf("note %s contact of computer %s: %w", kind, id, err)
	}
	return nil
}

// DeleteComputer removes a computer with its group membership, events and
// status. It returns store.ErrNotFound for an unknown computer. A computer
// that contacts the server again is created anew, as in WSUS.
func (db *DB) DeleteComputer(ctx context.Context, id string) error {
	id = normID(id)
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM computers WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete computer %s: %w", id, err)
	}
	return nil
}

func computerExists(ctx context.Context, tx *sql.Tx, id string) error {
	return rowExists(ctx, tx, `SELECT 1 FROM computers WHERE id = ?`, "computer", id)
}
