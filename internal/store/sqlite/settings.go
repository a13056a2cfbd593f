package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"patchbay"
	"patchbay/internal/store"
)

// Setting returns the value of a server setting. It returns
// store.ErrNotFound when the key was never set.
func (db *DB) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := db.ro.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("setting %q: %w", key, err)
	}
	return v, nil
}

// SetSetting stores a server setting, replacing any value. It returns
// EInvalid for an empty key and for a value the typed helpers would not
// accept for their key (targeting mode, configuration LastChange, server id).
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	if err := validSetting(key, value); err != nil {
		return err
	}
	err := db.write(ctx, func(tx *sql.Tx) error { return db.setSetting(ctx, tx, key, value) })
	if err != nil {
		return fmt.Errorf("set setting %q: %w", key, err)
	}
	return nil
}

func validSetting(key, value string) error {
	switch key {
	case "":
		return patchbay.Errorf(patchbay.EInvalid, "setting key is empty")
	case store.SettingTargetingMode:
		if value != store.TargetingServer && value != store.TargetingClient {
			return patchbay.Errorf(patchbay.EInvalid, "targeting mode %q is neither %q nor %q", value,
				store.TargetingServer, store.TargetingClient)
		}
	case store.SettingConfigLastChange:
		if _, err := time.Parse(time.RFC3339Nano, value); err != nil {
			return patchbay.Errorf(patchbay.EInvalid, "configuration LastChange %q is not an RFC 3339 time", value)
		}
	case store.SettingServerID:
		if len(value) != 36 {
			return patchbay.Errorf(patchbay.EInvalid, "server id %q is not a GUID", value)
		}
	}
	return nil
}

func (db *DB) setSetting(ctx context.Context, tx *sql.Tx, key, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		key, value, formatTime(db.now()))
	return err
}

// settingOnce returns the value of key, storing make's value first when the
// key is unset, in one write transaction: concurrent first callers (and
// front-ends sharing a database) all get the same value.
func (db *DB) settingOnce(ctx context.Context, key string, make func() string) (string, error) {
	var v string
	err := db.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		v = make()
		return db.setSetting(ctx, tx, key, v)
	})
	if err != nil {
		return "", fmt.Errorf("setting %q: %w", key, err)
	}
	return v, nil
}

// ServerID returns the server instance id, a lower-case GUID generated on
// first use and kept for the life of the database (cookies seal it; MS-WUSP
// §3.1.5.4 ServerChanged).
func (db *DB) ServerID(ctx context.Context) (string, error) {
	return db.settingOnce(ctx, store.SettingServerID, newGUID)
}

// ConfigLastChange returns the configuration LastChange that GetConfig
// reports (MS-WUSP §2.2.2.2.1) and cookies seal (§3.1.5.7 ConfigChanged). It
// is set to Now, truncated to milliseconds, on first use and moves only by
// BumpConfigLastChange, so restarts and other front-ends report the same
// value and clients do not loop on ConfigChanged (protocol-wusp.md §6.4).
func (db *DB) ConfigLastChange(ctx context.Context) (time.Time, error) {
	v, err := db.settingOnce(ctx, store.SettingConfigLastChange, func() string {
		return db.now().Truncate(time.Millisecond).Format(time.RFC3339Nano)
	})
	if err != nil {
		return time.Time{}, err
	}
	return parseTime(v)
}

// BumpConfigLastChange records that the client configuration changed: it
// sets LastChange to Now truncated to milliseconds, and always to a later
// value than before (one millisecond later when the clock has not moved),
// so that every cookie sealed with the old value gets ConfigChanged. It
// returns the new value.
func (db *DB) BumpConfigLastChange(ctx context.Context) (time.Time, error) {
	t := db.now().Truncate(time.Millisecond)
	err := db.write(ctx, func(tx *sql.Tx) error {
		var old string
		err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, store.SettingConfigLastChange).Scan(&old)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err == nil {
			prev, err := parseTime(old)
			if err != nil {
				return err
			}
			if !t.After(prev) {
				t = prev.Add(time.Millisecond)
			}
		}
		return db.setSetting(ctx, tx, store.SettingConfigLastChange, t.Format(time.RFC3339Nano))
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("bump configuration LastChange: %w", err)
	}
	return t, nil
}

// TargetingMode returns store.TargetingServer or store.TargetingClient;
// server-side targeting when never set, as on a new WSUS.
func (db *DB) TargetingMode(ctx context.Context) (string, error) {
	var mode string
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		mode, err = targetingMode(ctx, tx)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("targeting mode: %w", err)
	}
	return mode, nil
}

// SetTargetingMode stores the targeting mode. It returns EInvalid for a mode
// other than store.TargetingServer and store.TargetingClient. Membership of
// computers changes on their next TouchComputer.
func (db *DB) SetTargetingMode(ctx context.Context, mode string) error {
	return db.SetSetting(ctx, store.SettingTargetingMode, mode)
}

func targetingMode(ctx context.Context, tx *sql.Tx) (string, error) {
	var v string
	err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, store.SettingTargetingMode).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return store.TargetingServer, nil
	}
	return v, err
}
