package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"patchbay"
	"patchbay/internal/store"
)

const computerColumns = `id, dns_name, os_major, os_minor, os_build, os_sp_major, os_sp_minor, os_locale,
	os_description, manufacturer, model, bios_version, bios_name, bios_release_date, processor_architecture,
	suite_mask, old_product_type, new_product_type, system_metrics, client_version, oem, device_type,
	firmware_version, mobile_operator, protocol_version, registered, first_seen, last_contact, last_sync,
	last_report, last_status_report`

// Computer returns one computer with its groups (sorted by id) and claimed
// group names (in the order sent). It returns store.ErrNotFound for an
// unknown id.
func (db *DB) Computer(ctx context.Context, id string) (patchbay.Computer, error) {
	id = normID(id)
	var cs []patchbay.Computer
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		cs, err = loadComputers(ctx, tx, id)
		return err
	})
	if err == nil && len(cs) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return patchbay.Computer{}, fmt.Errorf("computer %s: %w", id, err)
	}
	return cs[0], nil
}

// Computers returns every computer, ordered by DNS name (without case) and
// then id, with groups and claimed names as Computer does.
func (db *DB) Computers(ctx context.Context) ([]patchbay.Computer, error) {
	var cs []patchbay.Computer
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		cs, err = loadComputers(ctx, tx, "")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("computers: %w", err)
	}
	return cs, nil
}

// loadComputers reads the computer id, or all computers for "".
func loadComputers(ctx context.Context, tx *sql.Tx, id string) ([]patchbay.Computer, error) {
	where, args := "", []any{}
	if id != "" {
		where, args = "WHERE id = ?", []any{id}
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+computerColumns+` FROM computers `+where+`
		ORDER BY dns_name COLLATE NOCASE, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cs []patchbay.Computer
	index := map[string]int{}
	for rows.Next() {
		var c patchbay.Computer
		var bios, first, contact, sync, report, status string
		if err := rows.Scan(&c.ID, &c.DNSName, &c.OSMajorVersion, &c.OSMinorVersion, &c.OSBuildNumber,
			&c.OSServicePackMajorNumber, &c.OSServicePackMinorNumber, &c.OSLocale, &c.OSDescription,
			&c.ComputerManufacturer, &c.ComputerModel, &c.BiosVersion, &c.BiosName, &bios,
			&c.ProcessorArchitecture, &c.SuiteMask, &c.OldProductType, &c.NewProductType, &c.SystemMetrics,
			&c.ClientVersion, &c.OEM, &c.DeviceType, &c.FirmwareVersion, &c.MobileOperator, &c.ProtocolVersion,
			&c.Registered, &first, &contact, &sync, &report, &status); err != nil {
			return nil, err
		}
		var errs [6]error
		c.BiosReleaseDate, errs[0] = parseTime(bios)
		c.FirstSeen, errs[1] = parseTime(first)
		c.LastContact, errs[2] = parseTime(contact)
		c.LastSync, errs[3] = parseTime(sync)
		c.LastReport, errs[4] = parseTime(report)
		c.LastStatusReport, errs[5] = parseTime(status)
		if err := errors.Join(errs[:]...); err != nil {
			return nil, err
		}
		index[c.ID] = len(cs)
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(cs) == 0 {
		return nil, nil
	}
	where = ""
	if id != "" {
		where = "WHERE computer_id = ?"
	}
	if err := eachRow(ctx, tx, `SELECT computer_id, group_id FROM computer_groups `+where+` ORDER BY computer_id, group_id`,
		args, func(cid, v string) {
			if i, ok := index[cid]; ok {
				cs[i].GroupIDs = append(cs[i].GroupIDs, v)
			}
		}); err != nil {
		return nil, err
	}
	if err := eachRow(ctx, tx, `SELECT computer_id, name FROM computer_claimed_groups `+where+` ORDER BY computer_id, ord`,
		args, func(cid, v string) {
			if i, ok := index[cid]; ok {
				cs[i].ClaimedGroupNames = append(cs[i].ClaimedGroupNames, v)
			}
		}); err != nil {
		return nil, err
	}
	return cs, nil
}

// eachRow runs a query of two text columns and calls fn per row.
func eachRow(ctx context.Context, tx *sql.Tx, q string, args []any, fn func(a, b string)) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return err
		}
		fn(a, b)
	}
	return rows.Err()
}
