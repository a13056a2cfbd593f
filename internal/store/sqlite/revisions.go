package sqlite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"strings"

	"patchbay"
	"patchbay/internal/store"
)

// PutRevisions stores revisions in one transaction, idempotently by revision
// key (UpdateID, RevisionNumber; UpdateIDs are stored lower-case):
//
//   - a key not held before is inserted and counted as Added;
//   - a key held with byte-identical XML is left alone and counted as
//     Unchanged, so re-importing a folder or re-syncing writes nothing;
//   - a key held with different XML bytes has all its metadata replaced and
//     is counted as Updated. A published revision is immutable in WSUS, so
//     different bytes mean the earlier copy was wrong (or re-signed); the
//     replacement gets a new RevisionID because clients cache metadata by
//     RevisionID (MS-WUSP §3.1.1) and must fetch the new bytes;
//     the old RevisionID then falls out of scope (OutOfScopeRevisionIDs).
//     Approvals name update and revision number, not RevisionID, so they
//     survive the replacement.
//
// The catalog version is bumped once when anything was added or updated. An
// invalid record (no UpdateID, no XML, duplicate fragments) makes the whole
// call fail with EInvalid before anything is written; the message names the
// revision.
func (db *DB) PutRevisions(ctx context.Context, recs []store.RevisionRecord) (store.PutResult, error) {
	for i := range recs {
		if err := validateRecord(&recs[i]); err != nil {
			return store.PutResult{}, err
		}
	}
	var res store.PutResult
	err := db.write(ctx, func(tx *sql.Tx) error {
		res = store.PutResult{IDs: make([]int64, 0, len(recs))}
		w, err := prepareRevisionWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		importedAt := formatTime(db.now())
		for i := range recs {
			id, outcome, err := w.put(ctx, &recs[i], importedAt)
			if err != nil {
				k := recs[i].Revision.RevisionKey
				return fmt.Errorf("put revision %s/%d: %w", k.UpdateID, k.RevisionNumber, err)
			}
			res.IDs = append(res.IDs, id)
			switch outcome {
			case added:
				res.Added++
			case updated:
				res.Updated++
			default:
				res.Unchanged++
			}
		}
		if res.Added+res.Updated > 0 {
			return db.bumpCatalog(ctx, tx)
		}
		return nil
	})
	if err != nil {
		return store.PutResult{}, err
	}
	return res, nil
}

func validateRecord(r *store.RevisionRecord) error {
	k := r.Revision.RevisionKey
	switch {
	case strings.TrimSpace(k.UpdateID) == "":
		return patchbay.Errorf(patchbay.EInvalid, "revision has no update id")
	case k.RevisionNumber < 0:
		return patchbay.Errorf(patchbay.EInvalid, "revision %s/%d: negative revision number", k.UpdateID, k.RevisionNumber)
	case len(r.XML) == 0:
		return patchbay.Errorf(patchbay.EInvalid, "revision %s/%d: no update xml", k.UpdateID, k.RevisionNumber)
	}
	type fragKey struct{ kind, locale, geo string }
	seen := make(map[fragKey]bool, len(r.Fragments))
	for _, f := range r.Fragments {
		fk := fragKey{string(f.Kind), f.Locale, f.GeoID}
		if f.Kind == "" || seen[fk] {
			return patchbay.Errorf(patchbay.EInvalid, "revision %s/%d: duplicate or unnamed %s fragment (locale %q)",
				k.UpdateID, k.RevisionNumber, f.Kind, f.Locale)
		}
		seen[fk] = true
	}
	for _, f := range r.Revision.Files {
		if len(f.SHA1) == 0 {
			return patchbay.Errorf(patchbay.EInvalid, "revision %s/%d: file %q has no sha1 digest",
				k.UpdateID, k.RevisionNumber, f.FileName)
		}
	}
	return nil
}

type putOutcome int

const (
	unchanged putOutcome = iota
	added
	updated
)

// revisionWriter holds the statements of one PutRevisions transaction,
// prepared once and reused for every record of the batch.
type revisionWriter struct {
	lookup, del, rev, xml, frag, file, prereq, bundle, super,
	driver, score, hwid, loc, eula *sql.Stmt
}

func prepareRevisionWriter(ctx context.Context, tx *sql.Tx) (*revisionWriter, error) {
	w := &revisionWriter{}
	stmts := []struct {
		dst   **sql.Stmt
		query string
	}{
		{&w.lookup, `SELECT id, xml_sha256 FROM revisions WHERE update_id = ? AND revision_number = ?`},
		{&w.del, `DELETE FROM revisions WHERE id = ?`},
		{&w.rev, `INSERT INTO revisions (update_id, revision_number, type, category_type, handler,
			default_language, creation_date, publication_state, explicitly_deployable, is_public,
			eula_id, title, kb_article_id, security_bulletin_id, msrc_severity, support_url,
			xml_sha256, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&w.xml, `INSERT INTO revision_xml (revision_id, xml) VALUES (?, ?)`},
		{&w.frag, `INSERT INTO fragments (revision_id, kind, locale, geo_id, xml) VALUES (?, ?, ?, ?, ?)`},
		{&w.file, `INSERT INTO files (revision_id, ord, file_name, size, sha1, sha256, patching_type, modified)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`},
		{&w.prereq, `INSERT INTO prerequisites (revision_id, clause, ord, update_id, is_category) VALUES (?, ?, ?, ?, ?)`},
		{&w.bundle, `INSERT INTO bundles (revision_id, clause, ord, update_id, revision_number) VALUES (?, ?, ?, ?, ?)`},
		{&w.super, `INSERT INTO supersedence (revision_id, ord, update_id) VALUES (?, ?, ?)`},
		{&w.driver, `INSERT INTO drivers (revision_id, ord, hardware_id, driver_ver_date, driver_ver_version,
			class, manufacturer, provider, model, whql_driver_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&w.score, `INSERT INTO driver_feature_scores (revision_id, driver_ord, ord, operating_system, score)
			VALUES (?, ?, ?, ?, ?)`},
		{&w.hwid, `INSERT INTO driver_hardware_ids (revision_id, driver_ord, kind, ord, hardware_id)
			VALUES (?, ?, ?, ?, ?)`},
		{&w.loc, `INSERT INTO localized (revision_id, ord, language, title, description, release_notes,
			more_info_url, support_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`},
		{&w.eula, `INSERT INTO eulas (revision_id, ord, language, geo_id, file_name, sha1) VALUES (?, ?, ?, ?, ?, ?)`},
	}
	for _, s := range stmts {
		st, err := tx.PrepareContext(ctx, s.query)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
		*s.dst = st
	}
	return w, nil
}

func (w *revisionWriter) close() {
	for _, st := range []*sql.Stmt{w.lookup, w.del, w.rev, w.xml, w.frag, w.file, w.prereq, w.bundle,
		w.super, w.driver, w.score, w.hwid, w.loc, w.eula} {
		if st != nil {
			st.Close()
		}
	}
}

// put writes one record unless it is already held byte for byte.
func (w *revisionWriter) put(ctx context.Context, rec *store.RevisionRecord, importedAt string) (int64, putOutcome, error) {
	r := &rec.Revision
	updateID := strings.ToLower(strings.TrimSpace(r.UpdateID))
	sum := sha256.Sum256(rec.XML)

	outcome := added
	var oldID int64
	var oldSum []byte
	err := w.lookup.QueryRowContext(ctx, updateID, r.RevisionNumber).Scan(&oldID, &oldSum)
	switch {
	case err == sql.ErrNoRows:
	case err != nil:
		return 0, 0, err
	case bytes.Equal(oldSum, sum[:]):
		return oldID, unchanged, nil
	default:
		if _, err := w.del.ExecContext(ctx, oldID); err != nil {
			return 0, 0, err
		}
		outcome = updated
	}

	res, err := w.rev.ExecContext(ctx, updateID, r.RevisionNumber, string(r.Type), r.CategoryType, r.Handler,
		r.DefaultLanguage, formatTime(r.CreationDate), r.PublicationState, r.ExplicitlyDeployable, r.IsPublic,
		r.EulaID, r.Title(r.DefaultLanguage), r.KBArticleID, r.SecurityBulletinID, r.MsrcSeverity, r.SupportURL,
		sum[:], importedAt)
	if err != nil {
		return 0, 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, 0, err
	}
	if err := w.children(ctx, id, rec); err != nil {
		return 0, 0, err
	}
	return id, outcome, nil
}

func (w *revisionWriter) children(ctx context.Context, id int64, rec *store.RevisionRecord) error {
	r := &rec.Revision
	exec := func(st *sql.Stmt, args ...any) error {
		_, err := st.ExecContext(ctx, args...)
		return err
	}
	if err := exec(w.xml, id, rec.XML); err != nil {
		return err
	}
	for _, f := range rec.Fragments {
		if err := exec(w.frag, id, string(f.Kind), f.Locale, f.GeoID, nonNil(f.XML)); err != nil {
			return err
		}
	}
	for i, f := range r.Files {
		if err := exec(w.file, id, i, f.FileName, f.Size, f.SHA1, nilIfEmpty(f.SHA256), f.PatchingType,
			formatTime(f.Modified)); err != nil {
			return err
		}
	}
	for ci, c := range r.Prerequisites {
		for i, u := range c.UpdateIDs {
			if err := exec(w.prereq, id, ci, i, strings.ToLower(u), c.IsCategory); err != nil {
				return err
			}
		}
	}
	for ci, c := range r.Bundled {
		for i, k := range c.Revisions {
			if err := exec(w.bundle, id, ci, i, strings.ToLower(k.UpdateID), k.RevisionNumber); err != nil {
				return err
			}
		}
	}
	for i, u := range r.Superseded {
		if err := exec(w.super, id, i, strings.ToLower(u)); err != nil {
			return err
		}
	}
	for di, d := range r.Driver {
		if err := exec(w.driver, id, di, d.HardwareID, d.DriverVerDate, d.DriverVerVersion, d.Class,
			d.Manufacturer, d.Provider, d.Model, d.WhqlDriverID); err != nil {
			return err
		}
		for i, s := range d.FeatureScores {
			if err := exec(w.score, id, di, i, s.OperatingSystem, s.Score); err != nil {
				return err
			}
		}
		for i, h := range d.TargetComputerHardwareIDs {
			if err := exec(w.hwid, id, di, "target", i, h); err != nil {
				return err
			}
		}
		for i, h := range d.DistributionComputerHardwareIDs {
			if err := exec(w.hwid, id, di, "distribution", i, h); err != nil {
				return err
			}
		}
	}
	for i, l := range r.Localized {
		if err := exec(w.loc, id, i, l.Language, l.Title, l.Description, l.ReleaseNotes, l.MoreInfoURL,
			l.SupportURL); err != nil {
			return err
		}
	}
	for i, e := range r.Eulas {
		if err := exec(w.eula, id, i, e.Language, e.GeoID, e.FileName, nilIfEmpty(e.SHA1)); err != nil {
			return err
		}
	}
	return nil
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func nilIfEmpty(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}
