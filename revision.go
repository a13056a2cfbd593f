package patchbay

import "time"

// UpdateType is the kind of an update, /Update/Properties/@UpdateType
// (MS-WUSP §3.1.1 Revision Table).
type UpdateType string

// The update types of MS-WUSP §3.1.1.
const (
	TypeSoftware  UpdateType = "Software"
	TypeDriver    UpdateType = "Driver"
	TypeCategory  UpdateType = "Category"
	TypeDetectoid UpdateType = "Detectoid"
)

// RevisionKey names one revision globally: an update's GUID (lower-case,
// canonical 8-4-4-4-12 form) and its revision number.
type RevisionKey struct {
	UpdateID       string
	RevisionNumber int
}

// Clause is one disjunction of a CNF relationship: satisfied when at least one
// of its members is (MS-WUSP §3.1.1 Prerequisite and Bundle Tables).
type Clause struct {
	// UpdateIDs for prerequisites: each refers to the highest revision of that update.
	UpdateIDs []string
	// Revisions for bundles: each refers to an exact revision.
	Revisions []RevisionKey
	// IsCategory marks a prerequisite clause from an AtLeastOne with IsCategory="true".
	IsCategory bool
}

// File is one content file of a revision (/Update/Files/File).
type File struct {
	FileName     string
	Size         int64
	SHA1         []byte // Digest with Algorithm="SHA1": 20 bytes
	SHA256       []byte // AdditionalDigest with Algorithm="SHA256": 32 bytes, or nil
	PatchingType string
	Modified     time.Time
}

// FeatureScore ranks a driver per operating system; lower is better
// (MS-WUSP §3.1.1 Driver FeatureScore Table).
type FeatureScore struct {
	OperatingSystem string // [Arch].[OSMajorVersion].[OSMinorVersion]
	Score           int
}

// Driver is the WindowsDriverMetaData of a driver revision
// (MS-WUSP §3.1.1.1 Driver Table and its related tables).
type Driver struct {
	HardwareID                      string
	DriverVerDate                   string // yyyy-mm-dd as in the metadata
	DriverVerVersion                string // a.b.c.d
	Class                           string
	Manufacturer                    string
	Provider                        string
	Model                           string
	WhqlDriverID                    int64
	FeatureScores                   []FeatureScore
	DistributionComputerHardwareIDs []string
	TargetComputerHardwareIDs       []string
}

// Localized is one language's LocalizedProperties of a revision.
type Localized struct {
	Language     string
	Title        string
	Description  string
	ReleaseNotes string
	MoreInfoURL  string
	SupportURL   string
}

// Eula is a reference to an EULA file of one language (/Update/LocalizedPropertiesCollection/EulaFile).
type Eula struct {
	Language string
	GeoID    string
	FileName string
	SHA1     []byte
	SHA256   []byte // AdditionalDigest, or nil
	Size     int64  // -1 when the metadata gives none
}

// Revision is everything Patchbay indexes about one revision of an update.
// The verbatim metadata bytes and the derived MS-WUSP §3.1.1.1 fragments are
// kept alongside it by the store; Revision holds the parsed, queryable fields.
type Revision struct {
	RevisionKey
	Type                 UpdateType
	CategoryType         string // for categories: Company, ProductFamily, Product, UpdateClassification
	Handler              string
	DefaultLanguage      string
	CreationDate         time.Time
	PublicationState     string
	ExplicitlyDeployable bool
	IsPublic             bool
	EulaID               string

	// Prerequisites in CNF over UpdateIDs; a clause from an AtLeastOne with
	// IsCategory="true" names the categories (products, classifications) the
	// revision belongs to.
	Prerequisites []Clause
	// Bundled in CNF over exact revisions.
	Bundled []Clause
	// Superseded lists the UpdateIDs this revision supersedes.
	Superseded []string

	Files     []File
	Driver    []Driver // one per WindowsDriverMetaData element
	Localized []Localized
	Eulas     []Eula

	KBArticleID        string
	SecurityBulletinID string
	MsrcSeverity       string
	SupportURL         string
}

// Title returns the title in language lang, falling back to the default
// language, then English, then the first one present.
func (r *Revision) Title(lang string) string {
	for _, want := range []string{lang, r.DefaultLanguage, "en"} {
		for _, l := range r.Localized {
			if want != "" && l.Language == want {
				return l.Title
			}
		}
	}
	if len(r.Localized) > 0 {
		return r.Localized[0].Title
	}
	return ""
}

// CategoryIDs returns the UpdateIDs named by the revision's IsCategory
// prerequisite clauses: the products and classifications it belongs to.
func (r *Revision) CategoryIDs() []string {
	var ids []string
	for _, c := range r.Prerequisites {
		if c.IsCategory {
			ids = append(ids, c.UpdateIDs...)
		}
	}
	return ids
}

// FragmentKind is one of the four metadata fragment types of MS-WUSP §3.1.1.1.
type FragmentKind string

// The fragment kinds of MS-WUSP §3.1.1.1 Metadata Table.
const (
	FragmentCore                FragmentKind = "Core"
	FragmentExtended            FragmentKind = "Extended"
	FragmentLocalizedProperties FragmentKind = "LocalizedProperties"
	FragmentEula                FragmentKind = "Eula"
)

// Fragment is one derived metadata fragment: not well-formed XML, served to
// clients as escaped text inside SOAP responses.
type Fragment struct {
	Kind   FragmentKind
	Locale string // for LocalizedProperties and Eula; "" otherwise
	GeoID  string // for Eula
	XML    []byte
}
