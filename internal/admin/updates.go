package admin

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"patchbay"
	"patchbay/internal/store"
)

// UpdateFilter selects updates for the update list; zero fields select
// every software and driver update.
type UpdateFilter struct {
	// Text matches a title substring, a KB number ("KB5000001" or
	// "5000001") or an update id.
	Text string
	// Classification is a classification's title (e.g. "Security Updates")
	// or update id.
	Classification string
	// Approved, when set, keeps updates approved (true) or not approved
	// (false) for any group.
	Approved *bool
	// Needed keeps updates at least one computer needs (not installed or
	// downloaded, as WSUS counts "needed").
	Needed bool
	// Limit caps the number of updates (zero: no limit); Offset skips that
	// many first. The order is newest first.
	Limit, Offset int
}

// Update is one update as the update list shows it.
type Update struct {
	UpdateID        string           `json:"updateId"`
	RevisionNumber  int              `json:"revisionNumber"`
	Type            string           `json:"type"`
	Title           string           `json:"title"`
	KB              string           `json:"kb,omitempty"`
	MsrcSeverity    string           `json:"msrcSeverity,omitempty"`
	CreationDate    time.Time        `json:"creationDate,omitzero"`
	Classifications []Category       `json:"classifications"`
	Products        []Category       `json:"products"`
	Approvals       []UpdateApproval `json:"approvals"`
	Status          Status           `json:"status"`
}

// Category names a product or classification.
type Category struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// UpdateApproval is one group's approval of an update.
type UpdateApproval struct {
	GroupID        string    `json:"groupId"`
	Group          string    `json:"group"`
	RevisionNumber int       `json:"revisionNumber"`
	Action         string    `json:"action"`
	Deadline       time.Time `json:"deadline,omitzero"`
}

// Status counts computers per installation state of an update. Needed is
// NotInstalled plus Downloaded.
type Status struct {
	Needed        int `json:"needed"`
	Installed     int `json:"installed"`
	Failed        int `json:"failed"`
	PendingReboot int `json:"pendingReboot"`
	NotInstalled  int `json:"notInstalled"`
	Downloaded    int `json:"downloaded"`
	NotApplicable int `json:"notApplicable"`
	Unknown       int `json:"unknown"`
}

// UpdateDetail is one update with the details the list leaves out.
type UpdateDetail struct {
	Update
	Description string    `json:"description,omitempty"`
	MoreInfoURL string    `json:"moreInfoUrl,omitempty"`
	SupportURL  string    `json:"supportUrl,omitempty"`
	Bulletin    string    `json:"securityBulletin,omitempty"`
	Supersedes  []string  `json:"supersedes,omitempty"`
	Files       []File    `json:"files,omitempty"`
	IsBundle    bool      `json:"isBundle,omitempty"`
	Deployable  bool      `json:"explicitlyDeployable"`
	Publication string    `json:"publicationState,omitempty"`
	Languages   []string  `json:"languages,omitempty"`
	Imported    time.Time `json:"imported,omitzero"`
}

// File is a content file of an update.
type File struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
	SHA1 string `json:"sha1"`
}

// Updates returns the updates f selects, newest first.
func (s *Service) Updates(ctx context.Context, f UpdateFilter) ([]Update, error) {
	sf := store.UpdateFilter{
		Text: strings.TrimSpace(f.Text), Classification: strings.TrimSpace(f.Classification),
		Approved: f.Approved, Limit: f.Limit, Offset: f.Offset,
	}
	if f.Limit < 0 || f.Offset < 0 {
		return nil, patchbay.Errorf(patchbay.EInvalid, "limit and offset must not be negative")
	}
	if f.Needed { // the store cannot filter on status; page here
		sf.Limit, sf.Offset = 0, 0
	}
	sums, err := s.Store.UpdateSummaries(ctx, sf)
	if err != nil {
		return nil, fmt.Errorf("list updates: %w", err)
	}
	out := []Update{}
	skip := f.Offset
	for _, u := range sums {
		if f.Needed {
			if u.Status.Needed() == 0 {
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			if f.Limit > 0 && len(out) == f.Limit {
				break
			}
		}
		out = append(out, updateView(u))
	}
	return out, nil
}

// Update returns the update with id (its newest revision) and its details.
// It returns EInvalid for a malformed id and ENotFound for an update the
// server does not hold; categories and detectoids are found too.
func (s *Service) Update(ctx context.Context, id string) (UpdateDetail, error) {
	id, err := parseUpdateID(id)
	if err != nil {
		return UpdateDetail{}, err
	}
	sum, err := s.latest(ctx, id)
	if err != nil {
		return UpdateDetail{}, err
	}
	rec, err := s.Store.Revision(ctx, patchbay.RevisionKey{UpdateID: id, RevisionNumber: sum.RevisionNumber})
	if err != nil {
		return UpdateDetail{}, fmt.Errorf("update %s: %w", id, err)
	}
	r := &rec.Revision
	d := UpdateDetail{
		Update: updateView(sum), SupportURL: r.SupportURL, Bulletin: r.SecurityBulletinID,
		Supersedes: r.Superseded, IsBundle: len(r.Bundled) > 0, Deployable: r.ExplicitlyDeployable,
		Publication: r.PublicationState, Imported: rec.ImportedAt,
	}
	for _, l := range r.Localized {
		d.Languages = append(d.Languages, l.Language)
	}
	for _, want := range []string{"en", r.DefaultLanguage} {
		for _, l := range r.Localized {
			if l.Language == want && d.Description == "" {
				d.Description, d.MoreInfoURL = l.Description, l.MoreInfoURL
				if d.SupportURL == "" {
					d.SupportURL = l.SupportURL
				}
			}
		}
	}
	for _, f := range r.Files {
		d.Files = append(d.Files, File{Name: f.FileName, Size: f.Size, SHA1: hex.EncodeToString(f.SHA1)})
	}
	return d, nil
}

// latest returns the summary of the newest revision of the update id, of
// any type. It returns ENotFound when the store holds no revision of it.
func (s *Service) latest(ctx context.Context, id string) (store.UpdateSummary, error) {
	for _, t := range []patchbay.UpdateType{"", patchbay.TypeCategory, patchbay.TypeDetectoid} {
		sums, err := s.Store.UpdateSummaries(ctx, store.UpdateFilter{Text: id, Type: t})
		if err != nil {
			return store.UpdateSummary{}, fmt.Errorf("update %s: %w", id, err)
		}
		for _, u := range sums {
			if u.UpdateID == id {
				return u, nil
			}
		}
	}
	return store.UpdateSummary{}, patchbay.Errorf(patchbay.ENotFound, "update %s not found", id)
}

func updateView(u store.UpdateSummary) Update {
	v := Update{
		UpdateID: u.UpdateID, RevisionNumber: u.RevisionNumber, Type: string(u.Type), Title: u.Title,
		KB: u.KBArticleID, MsrcSeverity: u.MsrcSeverity, CreationDate: u.CreationDate,
		Classifications: categories(u.Classifications), Products: categories(u.Products),
		Approvals: []UpdateApproval{},
		Status: Status{
			Needed: u.Status.Needed(), Installed: u.Status.Installed, Failed: u.Status.Failed,
			PendingReboot: u.Status.PendingReboot, NotInstalled: u.Status.NotInstalled,
			Downloaded: u.Status.Downloaded, NotApplicable: u.Status.NotApplicable, Unknown: u.Status.Unknown,
		},
	}
	if v.KB != "" {
		v.KB = "KB" + strings.TrimPrefix(strings.ToUpper(v.KB), "KB")
	}
	for _, a := range u.Approvals {
		v.Approvals = append(v.Approvals, UpdateApproval{
			GroupID: a.GroupID, Group: a.GroupName, RevisionNumber: a.RevisionNumber,
			Action: strings.ToLower(string(a.Action)), Deadline: a.Deadline,
		})
	}
	return v
}

func categories(cs []store.CategoryRef) []Category {
	out := make([]Category, 0, len(cs))
	for _, c := range cs {
		out = append(out, Category{ID: c.UpdateID, Title: c.Title})
	}
	return out
}
