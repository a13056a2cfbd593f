package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"patchbay"
	"patchbay/internal/store"
)

// Revisions calls fn for every stored revision in RevisionID order, with the
// parsed fields (relationships, files, drivers, localized properties) and
// ID and ImportedAt set; XML and Fragments are left nil (see RevisionXML and
// Fragments). All rows are read in one snapshot, one query per table, before
// fn is first called, so fn may call back into the DB. An error from fn stops
// the walk and is returned as is.
func (db *DB) Revisions(ctx context.Context, fn func(store.RevisionRecord) error) error {
	var recs []store.RevisionRecord
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		recs, err = loadRevisions(ctx, tx, 0)
		return err
	})
	if err != nil {
		return fmt.Errorf("revisions: %w", err)
	}
	for i := range recs {
		if err := fn(recs[i]); err != nil {
			return err
		}
		recs[i] = store.RevisionRecord{} // let the caller's copy be the only one
	}
	return nil
}

// Revision returns the revision named by key with its parsed fields, XML and
// fragments. It returns store.ErrNotFound when the store does not hold it.
func (db *DB) Revision(ctx context.Context, key patchbay.RevisionKey) (store.RevisionRecord, error) {
	var rec store.RevisionRecord
	err := db.read(ctx, func(tx *sql.Tx) error {
		id, err := revisionID(ctx, tx, key)
		if err != nil {
			return err
		}
		recs, err := loadRevisions(ctx, tx, id)
		if err != nil {
			return err
		}
		if len(recs) != 1 {
			return store.ErrNotFound
		}
		rec = recs[0]
		if err := tx.QueryRowContext(ctx, `SELECT xml FROM revision_xml WHERE revision_id = ?`, id).Scan(&rec.XML); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT kind, locale, geo_id, xml FROM fragments WHERE revision_id = ?
			ORDER BY kind, locale, geo_id`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var f patchbay.Fragment
			if err := rows.Scan(&f.Kind, &f.Locale, &f.GeoID, &f.XML); err != nil {
				return err
			}
			rec.Fragments = append(rec.Fragments, f)
		}
		return rows.Err()
	})
	if err != nil {
		return store.RevisionRecord{}, fmt.Errorf("revision %s/%d: %w", key.UpdateID, key.RevisionNumber, err)
	}
	return rec, nil
}

// RevisionXML returns the verbatim full update XML of the revision named by
// key, or store.ErrNotFound.
func (db *DB) RevisionXML(ctx context.Context, key patchbay.RevisionKey) ([]byte, error) {
	var b []byte
	err := db.ro.QueryRowContext(ctx, `SELECT x.xml FROM revisions r JOIN revision_xml x ON x.revision_id = r.id
		WHERE r.update_id = ? AND r.revision_number = ?`, normID(key.UpdateID), key.RevisionNumber).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("revision xml %s/%d: %w", key.UpdateID, key.RevisionNumber, err)
	}
	return b, nil
}

// Fragment returns the fragment of one kind and locale (""
// for Core and Extended) of the revision with RevisionID id. For Eula
// fragments with several GeoIDs it returns the one with the lowest GeoID.
// It returns store.ErrNotFound when there is no such fragment.
func (db *DB) Fragment(ctx context.Context, id int64, kind patchbay.FragmentKind, locale string) (patchbay.Fragment, error) {
	f := patchbay.Fragment{Kind: kind}
	err := db.ro.QueryRowContext(ctx, `SELECT locale, geo_id, xml FROM fragments
		WHERE revision_id = ? AND kind = ? AND locale = ? ORDER BY geo_id LIMIT 1`,
		id, string(kind), locale).Scan(&f.Locale, &f.GeoID, &f.XML)
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return patchbay.Fragment{}, fmt.Errorf("fragment %s %q of revision %d: %w", kind, locale, id, err)
	}
	return f, nil
}

// Fragments calls fn with every fragment of kind, in RevisionID order; the
// catalog uses it to pre-render Core fragments. fn runs while a read
// snapshot is open; an error from fn stops the walk and is returned as is.
func (db *DB) Fragments(ctx context.Context, kind patchbay.FragmentKind, fn func(id int64, f patchbay.Fragment) error) error {
	rows, err := db.ro.QueryContext(ctx, `SELECT revision_id, locale, geo_id, xml FROM fragments
		WHERE kind = ? ORDER BY revision_id, locale, geo_id`, string(kind))
	if err != nil {
		return fmt.Errorf("fragments %s: %w", kind, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		f := patchbay.Fragment{Kind: kind}
		if err := rows.Scan(&id, &f.Locale, &f.GeoID, &f.XML); err != nil {
			return fmt.Errorf("fragments %s: %w", kind, err)
		}
		if err := fn(id, f); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("fragments %s: %w", kind, err)
	}
	return nil
}

// FileBySHA1 returns a file that some stored revision lists with the given
// SHA-1 digest, or store.ErrNotFound. The importer uses it to recognise
// content files.
func (db *DB) FileBySHA1(ctx context.Context, sha1 []byte) (patchbay.File, error) {
	var f patchbay.File
	var sha256 []byte
	var modified string
	err := db.ro.QueryRowContext(ctx, `SELECT file_name, size, sha1, sha256, patching_type, modified
		FROM files WHERE sha1 = ? ORDER BY revision_id DESC LIMIT 1`, sha1).
		Scan(&f.FileName, &f.Size, &f.SHA1, &sha256, &f.PatchingType, &modified)
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err == nil {
		f.SHA256 = sha256
		f.Modified, err = parseTime(modified)
	}
	if err != nil {
		return patchbay.File{}, fmt.Errorf("file %x: %w", sha1, err)
	}
	return f, nil
}

func normID(id string) string { return strings.ToLower(strings.TrimSpace(id)) }

func revisionID(ctx context.Context, tx *sql.Tx, key patchbay.RevisionKey) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM revisions WHERE update_id = ? AND revision_number = ?`,
		normID(key.UpdateID), key.RevisionNumber).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, store.ErrNotFound
	}
	return id, err
}

// loadRevisions reads the revision with RevisionID only, or all revisions
// when only is 0, and stitches in their child rows: one query per table,
// never one per revision.
func loadRevisions(ctx context.Context, tx *sql.Tx, only int64) ([]store.RevisionRecord, error) {
	where, args := "", []any(nil)
	if only != 0 {
		where, args = " WHERE revision_id = ?", []any{only}
	}
	revWhere := strings.Replace(where, "revision_id", "id", 1)

	var recs []store.RevisionRecord
	idx := make(map[int64]int)
	err := scan(ctx, tx, `SELECT id, update_id, revision_number, type, category_type, handler, default_language,
		creation_date, publication_state, explicitly_deployable, is_public, eula_id, kb_article_id,
		security_bulletin_id, msrc_severity, support_url, imported_at FROM revisions`+revWhere+` ORDER BY id`, args,
		func(rows *sql.Rows) error {
			var rec store.RevisionRecord
			r := &rec.Revision
			var created, imported string
			if err := rows.Scan(&rec.ID, &r.UpdateID, &r.RevisionNumber, &r.Type, &r.CategoryType, &r.Handler,
				&r.DefaultLanguage, &created, &r.PublicationState, &r.ExplicitlyDeployable, &r.IsPublic, &r.EulaID,
				&r.KBArticleID, &r.SecurityBulletinID, &r.MsrcSeverity, &r.SupportURL, &imported); err != nil {
				return err
			}
			var err error
			if r.CreationDate, err = parseTime(created); err != nil {
				return err
			}
			if rec.ImportedAt, err = parseTime(imported); err != nil {
				return err
			}
			idx[rec.ID] = len(recs)
			recs = append(recs, rec)
			return nil
		})
	if err != nil {
		return nil, err
	}
	// get returns the revision a child row belongs to; rows of a revision
	// that is not loaded cannot exist (foreign keys), but be safe.
	get := func(id int64) *patchbay.Revision {
		i, ok := idx[id]
		if !ok {
			return nil
		}
		return &recs[i].Revision
	}
	for _, c := range childLoaders {
		if err := scan(ctx, tx, c.query+where+c.order, args, func(rows *sql.Rows) error { return c.load(rows, get) }); err != nil {
			return nil, err
		}
	}
	return recs, nil
}

// childLoaders read one child table each and append its rows to their
// revisions. Rows come ordered by revision and position.
var childLoaders = []struct {
	query, order string
	load         func(rows *sql.Rows, get func(int64) *patchbay.Revision) error
}{
	{`SELECT revision_id, file_name, size, sha1, sha256, patching_type, modified FROM files`, ` ORDER BY revision_id, ord`,
		func(rows *sql.Rows, get func(int64) *patchbay.Revision) error {
			var id int64
			var f patchbay.File
			var modified string
			if err := rows.Scan(&id, &f.FileName, &f.Size, &f.SHA1, &f.SHA256, &f.PatchingType, &modified); err != nil {
				return err
			}
			var err error
			if f.Modified, err = parseTime(modified); err != nil {
				return err
			}
			if r := get(id); r != nil {
				r.Files = append(r.Files, f)
			}
			return nil
		}},
	{`SELECT revision_id, clause, update_id, is_category FROM prerequisites`, ` ORDER BY revision_id, clause, ord`,
		func(rows *sql.Rows, get func(int64) *patchbay.Revision) error {
			var id int64
			var clause int
			var u string
			var isCat bool
			if err := rows.Scan(&id, &clause, &u, &isCat); err != nil {
				return err
			}
			if r := get(id); r != nil {
				for len(r.Prerequisites) <= clause {
					r.Prerequisites = append(r.Prerequisites, patchbay.Clause{})
				}
				c := &r.Prerequisites[clause]
				c.UpdateIDs = append(c.UpdateIDs, u)
				c.IsCategory = isCat
			}
			return nil
		}},
	{`SELECT revision_id, clause, update_id, revision_number FROM bundles`, ` ORDER BY revision_id, clause, ord`,
		func(rows *sql.Rows, get func(int64) *patchbay.Revision) error {
			var id int64
			var clause int
			var k patchbay.RevisionKey
			if err := rows.Scan(&id, &clause, &k.UpdateID, &k.RevisionNumber); err != nil {
				return err
			}
			if r := get(id); r != nil {
				for len(r.Bundled) <= clause {
					r.Bundled = append(r.Bundled, patchbay.Clause{})
				}
				r.Bundled[clause].Revisions = append(r.Bundled[clause].Revisions, k)
			}
			return nil
		}},
	{`SELECT revision_id, update_id FROM supersedence`, ` ORDER BY revision_id, ord`,
		func(rows *sql.Rows, get func(int64) *patchbay.Revision) error {
			var id int64
			var u string
			if err := rows.Scan(&id, &u); err != nil {
				return err
			}
			if r := get(id); r != nil {
				r.Superseded = append(r.Superseded, u)
			}
			return nil
		}},
	{`SELECT revision_id, hardware_id, driver_ver_date, driver_ver_version, class, manufacturer, provider, model,
		whql_driver_id FROM drivers`, ` ORDER BY revision_id, ord`,
		func(rows *sql.Rows, get func(int64) *patchbay.Revision) error {
			var id int64
			var d patchbay.Driver
			if err := rows.Scan(&id, &d.HardwareID, &d.DriverVerDate, &d.DriverVerVersion, &d.Class,
				&d.Manufacturer, &d.Provider, &d.Model, &d.WhqlDriverID); err != nil {
				return err
			}
			if r := get(id); r != nil {
				r.Driver = append(r.Driver, d)
			}
			return nil
		}},
	{`SELECT revision_id, driver_ord, operating_system, score FROM driver_feature_scores`, ` ORDER BY revision_id, driver_ord, ord`,
		func(rows *sql.Rows, get func(int64) *patchbay.Revision) error {
			var id int64
			var di int
			var s patchbay.FeatureScore
			if err := rows.Scan(&id, &di, &s.OperatingSystem, &s.Score); err != nil {
				return err
			}
			if r := get(id); r != nil && di < len(r.Driver) {
				r.Driver[di].FeatureScores = append(r.Driver[di].FeatureScores, s)
			}
			return nil
		}},
	{`SELECT revision_id, driver_ord, kind, hardware_id FROM driver_hardware_ids`, ` ORDER BY revision_id, driver_ord, kind, ord`,
		func(rows *sql.Rows, get func(int64) *patchbay.Revision) error {
			var id int64
			var di int
			var kind, h string
			if err := rows.Scan(&id, &di, &kind, &h); err != nil {
				return err
			}
			if r := get(id); r != nil && di < len(r.Driver) {
				d := &r.Driver[di]
				if kind == "target" {
					d.TargetComputerHardwareIDs = append(d.TargetComputerHardwareIDs, h)
				} else {
					d.DistributionComputerHardwareIDs = append(d.DistributionComputerHardwareIDs, h)
				}
			}
			return nil
		}},
	{`SELECT revision_id, language, title, description, release_notes, more_info_url, support_url FROM localized`,
		` ORDER BY revision_id, ord`,
		func(rows *sql.Rows, get func(int64) *patchbay.Revision) error {
			var id int64
			var l patchbay.Localized
			if err := rows.Scan(&id, &l.Language, &l.Title, &l.Description, &l.ReleaseNotes, &l.MoreInfoURL,
				&l.SupportURL); err != nil {
				return err
			}
			if r := get(id); r != nil {
				r.Localized = append(r.Localized, l)
			}
			return nil
		}},
	{`SELECT revision_id, language, geo_id, file_name, sha1 FROM eulas`, ` ORDER BY revision_id, ord`,
		func(rows *sql.Rows, get func(int64) *patchbay.Revision) error {
			var id int64
			var e patchbay.Eula
			if err := rows.Scan(&id, &e.Language, &e.GeoID, &e.FileName, &e.SHA1); err != nil {
				return err
			}
			if r := get(id); r != nil {
				r.Eulas = append(r.Eulas, e)
			}
			return nil
		}},
}

// scan runs query and calls fn for each row.
func scan(ctx context.Context, tx *sql.Tx, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
