package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"patchbay"
	"patchbay/internal/store"
)

// UpdateSummaries lists updates for the administrator: for each update the
// newest revision held, its English (else default-language) title, its
// classifications and products (the UpdateClassification and Product
// categories named by IsCategory prerequisite clauses, MS-WUSP §3.1.1
// Prerequisite Table), its approvals and the computers' status counts. The
// filter and order are those of store.UpdateFilter. It returns EInvalid for
// a negative Limit or Offset.
func (db *DB) UpdateSummaries(ctx context.Context, f store.UpdateFilter) ([]store.UpdateSummary, error) {
	if f.Limit < 0 || f.Offset < 0 {
		return nil, patchbay.Errorf(patchbay.EInvalid, "negative limit or offset")
	}
	q, args := summaryQuery(f)
	var out []store.UpdateSummary
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = loadSummaries(ctx, tx, q, args); err != nil || len(out) == 0 {
			return err
		}
		ids := make([]string, len(out))
		index := make(map[string]*store.UpdateSummary, len(out))
		for i := range out {
			ids[i] = out[i].UpdateID
			index[out[i].UpdateID] = &out[i]
		}
		list, _ := json.Marshal(ids) // strings always encode
		if err := loadSummaryCategories(ctx, tx, string(list), index); err != nil {
			return err
		}
		if err := loadSummaryApprovals(ctx, tx, string(list), index); err != nil {
			return err
		}
		return loadSummaryStatus(ctx, tx, string(list), index)
	})
	if err != nil {
		return nil, fmt.Errorf("update summaries: %w", err)
	}
	return out, nil
}

// latestRevision restricts r to the newest revision of its update.
const latestRevision = `r.revision_number = (SELECT max(r2.revision_number) FROM revisions r2 WHERE r2.update_id = r.update_id)`

func summaryQuery(f store.UpdateFilter) (string, []any) {
	where := []string{latestRevision}
	var args []any
	if f.Type != "" {
		where, args = append(where, "r.type = ?"), append(args, string(f.Type))
	} else {
		where = append(where, "r.type IN ('Software', 'Driver')")
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		like := "%" + likeEscaper.Replace(t) + "%"
		kb := strings.TrimPrefix(strings.ToUpper(t), "KB")
		where = append(where, `(r.title LIKE ? ESCAPE '\' OR r.kb_article_id = ? OR r.update_id = ?
			OR EXISTS (SELECT 1 FROM localized l WHERE l.revision_id = r.id AND l.title LIKE ? ESCAPE '\'))`)
		args = append(args, like, kb, normID(t), like)
	}
	if c := strings.TrimSpace(f.Classification); c != "" {
		where = append(where, `EXISTS (SELECT 1 FROM prerequisites p JOIN revisions c ON c.update_id = p.update_id
			WHERE p.revision_id = r.id AND p.is_category = 1 AND c.category_type = 'UpdateClassification'
			AND (c.update_id = ? OR c.title = ? COLLATE NOCASE))`)
		args = append(args, normID(c), c)
	}
	if f.Approved != nil {
		not := "NOT "
		if *f.Approved {
			not = ""
		}
		where = append(where, not+`EXISTS (SELECT 1 FROM approvals a WHERE a.update_id = r.update_id)`)
	}
	q := `SELECT r.update_id, r.revision_number, r.type,
		coalesce((SELECT l.title FROM localized l WHERE l.revision_id = r.id AND l.language = 'en' ORDER BY l.ord LIMIT 1), r.title),
		r.kb_article_id, r.msrc_severity, r.creation_date
		FROM revisions r WHERE ` + strings.Join(where, " AND ") + `
		ORDER BY r.creation_date DESC, r.update_id LIMIT ? OFFSET ?`
	limit := f.Limit
	if limit == 0 {
		limit = -1 // SQLite: no limit
	}
	return q, append(args, limit, f.Offset)
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func loadSummaries(ctx context.Context, tx *sql.Tx, q string, args []any) ([]store.UpdateSummary, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.UpdateSummary
	for rows.Next() {
		var s store.UpdateSummary
		var created string
		if err := rows.Scan(&s.UpdateID, &s.RevisionNumber, &s.Type, &s.Title, &s.KBArticleID, &s.MsrcSeverity,
			&created); err != nil {
			return nil, err
		}
		if s.CreationDate, err = parseTime(created); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// loadSummaryCategories resolves the IsCategory prerequisite members of each
// listed update's newest revision to the newest revision of the category.
func loadSummaryCategories(ctx context.Context, tx *sql.Tx, list string, index map[string]*store.UpdateSummary) error {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT r.update_id, c.update_id, c.category_type,
		coalesce((SELECT l.title FROM localized l WHERE l.revision_id = c.id AND l.language = 'en' ORDER BY l.ord LIMIT 1), c.title)
		FROM revisions r
		JOIN prerequisites p ON p.revision_id = r.id AND p.is_category = 1
		JOIN revisions c ON c.update_id = p.update_id
			AND c.revision_number = (SELECT max(c2.revision_number) FROM revisions c2 WHERE c2.update_id = c.update_id)
		WHERE r.update_id IN (SELECT value FROM json_each(?)) AND `+latestRevision+`
			AND c.category_type IN ('UpdateClassification', 'Product')
		ORDER BY r.update_id, 4, c.update_id`, list)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var uid, cid, kind, title string
		if err := rows.Scan(&uid, &cid, &kind, &title); err != nil {
			return err
		}
		s := index[uid]
		ref := store.CategoryRef{UpdateID: cid, Title: title}
		if kind == "Product" {
			s.Products = append(s.Products, ref)
		} else {
			s.Classifications = append(s.Classifications, ref)
		}
	}
	return rows.Err()
}

func loadSummaryApprovals(ctx context.Context, tx *sql.Tx, list string, index map[string]*store.UpdateSummary) error {
	rows, err := tx.QueryContext(ctx, `SELECT a.update_id, a.group_id, g.name, a.revision_number, a.action,
		coalesce(a.deadline, '') FROM approvals a JOIN target_groups g ON g.id = a.group_id
		WHERE a.update_id IN (SELECT value FROM json_each(?)) ORDER BY a.update_id, g.name COLLATE NOCASE`, list)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var uid, deadline string
		var a store.ApprovalSummary
		if err := rows.Scan(&uid, &a.GroupID, &a.GroupName, &a.RevisionNumber, &a.Action, &deadline); err != nil {
			return err
		}
		if a.Deadline, err = parseTime(deadline); err != nil {
			return err
		}
		index[uid].Approvals = append(index[uid].Approvals, a)
	}
	return rows.Err()
}

// loadSummaryStatus counts computers per state; computers that sent a
// status report without naming the update count as not applicable, and the
// rest as unknown (protocol-wusp.md §8.6 rule 2).
func loadSummaryStatus(ctx context.Context, tx *sql.Tx, list string, index map[string]*store.UpdateSummary) error {
	var computers, reported int
	if err := tx.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE last_status_report <> '')
		FROM computers`).Scan(&computers, &reported); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT s.update_id, s.state, count(*), count(*) FILTER (WHERE c.last_status_report <> '')
		FROM update_status s JOIN computers c ON c.id = s.computer_id
		WHERE s.update_id IN (SELECT value FROM json_each(?)) GROUP BY s.update_id, s.state`, list)
	if err != nil {
		return err
	}
	defer rows.Close()
	rowsOf := map[string][2]int{} // rows, rows of reported computers
	for rows.Next() {
		var uid string
		var state patchbay.UpdateState
		var n, nReported int
		if err := rows.Scan(&uid, &state, &n, &nReported); err != nil {
			return err
		}
		c := &index[uid].Status
		switch state {
		case patchbay.StateNotApplicable:
			c.NotApplicable += n
		case patchbay.StateNotInstalled:
			c.NotInstalled += n
		case patchbay.StateDownloaded:
			c.Downloaded += n
		case patchbay.StateInstalled:
			c.Installed += n
		case patchbay.StateFailed:
			c.Failed += n
		case patchbay.StatePendingReboot:
			c.PendingReboot += n
		default:
			c.Unknown += n
		}
		r := rowsOf[uid]
		rowsOf[uid] = [2]int{r[0] + n, r[1] + nReported}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for uid, s := range index {
		r := rowsOf[uid]
		s.Status.NotApplicable += reported - r[1]
		s.Status.Unknown += computers - reported - (r[0] - r[1])
	}
	return nil
}
