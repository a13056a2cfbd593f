package refcatalog

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"patchbay"
)

// catalog is a generated catalog held in memory.
type catalog struct {
	sum       Summary
	files     map[string][]byte // by emitted name
	metadata  []string          // emitted metadata names, in order
	approvals []Approval

	decodeOnce sync.Once
	docs       map[string]*tUpdate
}

// catalogs caches generated catalogs by their Options, so that tests over
// the same catalog generate and decode it once (encoding/xml is slow under
// -race). Tests only read them.
var catalogs sync.Map

// streamCatalog returns the catalog of opt, generating it on first use.
func streamCatalog(t testing.TB, opt Options) *catalog {
	t.Helper()
	key := fmt.Sprintf("%+v", opt)
	if c, ok := catalogs.Load(key); ok {
		return c.(*catalog)
	}
	c := generateCatalog(t, opt)
	catalogs.Store(key, c)
	return c
}

func generateCatalog(t testing.TB, opt Options) *catalog {
	t.Helper()
	c := &catalog{files: map[string][]byte{}}
	sum, err := Stream(opt, func(name string, data []byte) error {
		if _, dup := c.files[name]; dup {
			t.Errorf("Stream emitted %s twice", name)
		}
		c.files[name] = data
		if strings.HasPrefix(name, "metadata/") {
			c.metadata = append(c.metadata, name)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Stream(%+v) error: %v", opt, err)
	}
	c.sum = sum
	if err := json.Unmarshal(c.files["approvals.json"], &c.approvals); err != nil {
		t.Fatalf("decode approvals.json: %v", err)
	}
	return c
}

// tUpdate is the part of an update document the tests look at, decoded by
// element names (MS-WUSP §3.1.1.1 XPATHs).
type tUpdate struct {
	XMLName  xml.Name `xml:"http://schemas.microsoft.com/msus/2002/12/Update Update"`
	Identity tID      `xml:"UpdateIdentity"`
	Props    struct {
		UpdateType           string `xml:"UpdateType,attr"`
		ExplicitlyDeployable string `xml:"ExplicitlyDeployable,attr"`
		MsrcSeverity         string `xml:"MsrcSeverity,attr"`
		EulaID               string `xml:"EulaID,attr"`
		KBArticleID          string `xml:"KBArticleID"`
	} `xml:"Properties"`
	Localized []struct {
		Language string `xml:"Language"`
		Title    string `xml:"Title"`
	} `xml:"LocalizedPropertiesCollection>LocalizedProperties"`
	Eulas []tFile `xml:"LocalizedPropertiesCollection>EulaFile"`
	Rel   struct {
		Superseded []tID `xml:"SupersededUpdates>UpdateIdentity"`
		Prereq     struct {
			IDs     []tID `xml:"UpdateIdentity"`
			Clauses []struct {
				IsCategory bool  `xml:"IsCategory,attr"`
				IDs        []tID `xml:"UpdateIdentity"`
			} `xml:"AtLeastOne"`
		} `xml:"Prerequisites"`
		Bundled []tID `xml:"BundledUpdates>AtLeastOne>UpdateIdentity"`
	} `xml:"Relationships"`
	Drivers []struct {
		HardwareID    string `xml:"HardwareID,attr"`
		DriverVerDate string `xml:"DriverVerDate,attr"`
		Scores        []struct {
			OS    string `xml:"OperatingSystem,attr"`
			Score string `xml:"FeatureScore,attr"`
		} `xml:"FeatureScore"`
		Targets []string `xml:"TargetComputerHardwareId"`
	} `xml:"ApplicabilityRules>Metadata>WindowsDriverMetaData"`
	Files    []tFile `xml:"Files>File"`
	Category *struct {
		Type string `xml:"CategoryType,attr"`
	} `xml:"HandlerSpecificData>CategoryInformation"`
}

type tID struct {
	UpdateID       string `xml:"UpdateID,attr"`
	RevisionNumber int    `xml:"RevisionNumber,attr"`
}

type tFile struct {
	Digest          string `xml:"Digest,attr"`
	DigestAlgorithm string `xml:"DigestAlgorithm,attr"`
	FileName        string `xml:"FileName,attr"`
	Size            int    `xml:"Size,attr"`
	Language        string `xml:"Language,attr"`
	Additional      []struct {
		Algorithm string `xml:"Algorithm,attr"`
		Value     string `xml:",chardata"`
	} `xml:"AdditionalDigest"`
}

// decodeAll decodes every metadata document of c (once per catalog).
func decodeAll(t *testing.T, c *catalog) map[string]*tUpdate {
	t.Helper()
	var failed error
	c.decodeOnce.Do(func() {
		c.docs = make(map[string]*tUpdate, len(c.metadata))
		for _, name := range c.metadata {
			var u tUpdate
			if err := xml.Unmarshal(c.files[name], &u); err != nil {
				failed = fmt.Errorf("xml.Unmarshal(%s) error: %w", name, err)
				return
			}
			c.docs[name] = &u
		}
	})
	if failed != nil || len(c.docs) != len(c.metadata) {
		t.Fatalf("decoding the catalog failed: %v", failed)
	}
	return c.docs
}

func small() Options { return Options{Revisions: 800, Seed: 7} }

func TestWellFormed(t *testing.T) {
	c := streamCatalog(t, small())
	if len(c.metadata) != 800 {
		t.Fatalf("Stream emitted %d metadata documents, want 800", len(c.metadata))
	}
	for _, name := range c.metadata {
		data := c.files[name]
		if bytes.HasPrefix(data, []byte("<?xml")) || bytes.ContainsAny(data, "\r\n\t") {
			t.Errorf("%s: has an XML declaration or pretty printing; real documents have neither", name)
		}
		d := xml.NewDecoder(bytes.NewReader(data))
		depth, roots := 0, 0
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: not well-formed: %v", name, err)
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				if depth == 0 {
					roots++
					if tok.Name.Space != nsUpd || tok.Name.Local != "Update" {
						t.Errorf("%s: root %v, want {%s}Update", name, tok.Name, nsUpd)
					}
				}
				depth++
			case xml.EndElement:
				depth--
			}
		}
		if roots != 1 {
			t.Errorf("%s: %d root elements, want 1", name, roots)
		}
	}
	for name, u := range decodeAll(t, c) {
		want := "metadata/" + strings.ToLower(u.Identity.UpdateID) + "-r" + itoa(u.Identity.RevisionNumber) + ".xml"
		if name != want {
			t.Errorf("document %s has identity %+v, want file name %s", name, u.Identity, want)
		}
	}
}

func TestDeterministic(t *testing.T) {
	opt := Options{Revisions: 400, Seed: 42, WithContent: true, ContentBytes: 256}
	a, b := generateCatalog(t, opt), generateCatalog(t, opt)
	if len(a.files) != len(b.files) {
		t.Fatalf("two runs emitted %d and %d files", len(a.files), len(b.files))
	}
	for name, data := range a.files {
		if !bytes.Equal(data, b.files[name]) {
			t.Fatalf("two runs with the same Options differ in %s", name)
		}
	}
	if a.sum != b.sum {
		t.Errorf("summaries differ: %+v vs %+v", a.sum, b.sum)
	}
	opt.Seed = 43
	other := generateCatalog(t, opt)
	same := 0
	for name := range other.files {
		if _, ok := a.files[name]; ok && strings.HasPrefix(name, "metadata/") {
			same++
		}
	}
	// Only the real, fixed GUIDs (company, Windows family, some products,
	// classifications) may be shared between seeds.
	if same > 30 {
		t.Errorf("seeds 42 and 43 share %d document names, want only the fixed categories", same)
	}
}

func TestShape(t *testing.T) {
	c := streamCatalog(t, Options{Revisions: 3000, Seed: 5})
	s := c.sum
	t.Logf("summary: %+v", s)
	if s.Revisions != 3000 || len(c.metadata) != 3000 {
		t.Errorf("Revisions = %d (%d emitted), want 3000", s.Revisions, len(c.metadata))
	}
	checks := []struct {
		name     string
		got      int
		min, max int
	}{
		{"Companies", s.Companies, 1, 1},
		{"ProductFamilies", s.ProductFamilies, 5, 10},
		{"Products", s.Products, 35, 45},
		{"Classifications", s.Classifications, 11, 11},
		{"Detectoids", s.Detectoids, 30, 90},  // 1–3 %
		{"Drivers", s.Drivers, 270, 330},      // about 10 %
		{"Bundles", s.Bundles, 540, 1320},     // top-level bundles
		{"Leaves", s.Leaves, 1080, 1920},      // their members
		{"Standalone", s.Standalone, 60, 480}, // installable top-level
		{"MultiRevisionUpdates", s.MultiRevisionUpdates, 12, 120},
		{"Superseding", s.Superseding, 300, 2400},
		{"WithEula", s.WithEula, 3, 180},
		{"Approvals", s.Approvals, 450, 450},
	}
	for _, tc := range checks {
		if tc.got < tc.min || tc.got > tc.max {
			t.Errorf("%s = %d, want %d..%d", tc.name, tc.got, tc.min, tc.max)
		}
	}
	types := map[string]int{}
	severities, drivers := 0, 0
	for _, name := range c.metadata {
		data := c.files[name]
		i := bytes.Index(data, []byte(` UpdateType="`))
		if i < 0 {
			t.Fatalf("%s: no UpdateType", name)
		}
		ty := data[i+len(` UpdateType="`):]
		ty = ty[:bytes.IndexByte(ty, '"')]
		types[string(ty)]++
		if bytes.Contains(data, []byte(` MsrcSeverity="`)) {
			severities++
		}
		if string(ty) != "Driver" || drivers >= 50 {
			continue
		}
		drivers++
		var u tUpdate
		if err := xml.Unmarshal(data, &u); err != nil {
			t.Fatalf("xml.Unmarshal(%s) error: %v", name, err)
		}
		if len(u.Drivers) == 0 {
			t.Errorf("driver %s has no WindowsDriverMetaData", name)
		}
		for _, d := range u.Drivers {
			if d.HardwareID == "" || len(d.DriverVerDate) != 10 {
				t.Errorf("driver %s: metadata %+v", name, d)
			}
			for _, fs := range d.Scores {
				if len(fs.Score) != 2 || !strings.HasSuffix(fs.OS, ".10.0") {
					t.Errorf("driver %s: FeatureScore %+v, want a hex byte per OS", name, fs)
				}
			}
		}
	}
	if types["Category"] != s.Companies+s.ProductFamilies+s.Products+s.Classifications ||
		types["Detectoid"] != s.Detectoids || types["Driver"] != s.Drivers ||
		types["Software"] != s.Bundles+s.Leaves+s.Standalone {
		t.Errorf("UpdateType counts %v do not match summary %+v", types, s)
	}
	if severities == 0 {
		t.Error("no update carries MsrcSeverity")
	}
}

// TestReferentialIntegrity checks that every prerequisite, category,
// superseded and bundled identity names a generated revision.
func TestReferentialIntegrity(t *testing.T) {
	c := streamCatalog(t, small())
	docs := decodeAll(t, c)
	ids := map[string]*tUpdate{}
	revs := map[tID]bool{}
	for _, u := range docs {
		id := strings.ToLower(u.Identity.UpdateID)
		ids[id] = u
		revs[tID{id, u.Identity.RevisionNumber}] = true
	}
	for name, u := range docs {
		for _, p := range u.Rel.Prereq.IDs {
			if ids[strings.ToLower(p.UpdateID)] == nil {
				t.Errorf("%s: prerequisite %s does not exist", name, p.UpdateID)
			}
		}
		cats := map[string]bool{}
		for _, cl := range u.Rel.Prereq.Clauses {
			if len(cl.IDs) == 0 {
				t.Errorf("%s: empty AtLeastOne", name)
			}
			for _, p := range cl.IDs {
				target := ids[strings.ToLower(p.UpdateID)]
				if target == nil {
					t.Errorf("%s: prerequisite %s does not exist", name, p.UpdateID)
					continue
				}
				if cl.IsCategory {
					if target.Category == nil {
						t.Errorf("%s: IsCategory clause names %s, which is not a category", name, p.UpdateID)
						continue
					}
					cats[target.Category.Type] = true
				}
			}
		}
		if u.Props.ExplicitlyDeployable == "true" && u.Props.UpdateType != "Category" &&
			(!cats["Product"] || !cats["UpdateClassification"]) {
			t.Errorf("%s: deployable update without product and classification clauses (%v)", name, cats)
		}
		for _, b := range u.Rel.Bundled {
			if !revs[tID{strings.ToLower(b.UpdateID), b.RevisionNumber}] {
				t.Errorf("%s: bundled revision %s r%d does not exist", name, b.UpdateID, b.RevisionNumber)
			}
		}
		for _, s := range u.Rel.Superseded {
			if ids[strings.ToLower(s.UpdateID)] == nil {
				t.Errorf("%s: superseded update %s does not exist", name, s.UpdateID)
			}
		}
	}
	if ids[companyID] == nil || ids[windowsFamilyID] == nil {
		t.Error("the real Microsoft company or Windows family GUID is missing")
	}
	for _, cl := range classificationTable {
		if u := ids[lowerGUID(cl.id)]; u == nil || u.Category == nil || u.Category.Type != "UpdateClassification" {
			t.Errorf("classification %s (%s) missing", cl.name, cl.id)
		}
	}
}

// TestContentDigests checks that every Files/File and EulaFile digest
// matches the bytes written under content/.
func TestContentDigests(t *testing.T) {
	c := streamCatalog(t, Options{Revisions: 600, Seed: 3, WithContent: true, ContentBytes: 300})
	referenced := map[string]bool{}
	check := func(name string, f tFile) {
		raw, err := base64.StdEncoding.DecodeString(f.Digest)
		if err != nil || len(raw) != sha1.Size || f.DigestAlgorithm != "SHA1" {
			t.Errorf("%s: %s: bad Digest %q (%s)", name, f.FileName, f.Digest, f.DigestAlgorithm)
			return
		}
		cname := "content/" + strings.ToUpper(hex.EncodeToString(raw)) + strings.ToLower(path.Ext(f.FileName))
		referenced[cname] = true
		data, ok := c.files[cname]
		if !ok {
			t.Errorf("%s: %s: no content file %s", name, f.FileName, cname)
			return
		}
		if len(data) != f.Size {
			t.Errorf("%s: %s: Size %d, content has %d bytes", name, f.FileName, f.Size, len(data))
		}
		if got := sha1.Sum(data); !bytes.Equal(got[:], raw) {
			t.Errorf("%s: %s: SHA-1 of content does not match Digest", name, f.FileName)
		}
		if len(f.Additional) != 1 || f.Additional[0].Algorithm != "SHA256" {
			t.Errorf("%s: %s: want one SHA256 AdditionalDigest, got %+v", name, f.FileName, f.Additional)
			return
		}
		sum := sha256.Sum256(data)
		if f.Additional[0].Value != base64.StdEncoding.EncodeToString(sum[:]) {
			t.Errorf("%s: %s: SHA-256 of content does not match AdditionalDigest", name, f.FileName)
		}
	}
	eulas := 0
	for name, u := range decodeAll(t, c) {
		for _, f := range u.Files {
			check(name, f)
		}
		for _, f := range u.Eulas {
			check(name, f)
			eulas++
		}
		if len(u.Eulas) > 0 && u.Props.EulaID == "" {
			t.Errorf("%s: EulaFile without EulaID", name)
		}
	}
	n := 0
	for name := range c.files {
		if strings.HasPrefix(name, "content/") {
			n++
			if !referenced[name] {
				t.Errorf("content file %s is referenced by no document", name)
			}
		}
	}
	if n != c.sum.Files || n == 0 {
		t.Errorf("%d content files, Summary.Files = %d", n, c.sum.Files)
	}
	if eulas == 0 {
		t.Error("no EulaFile generated")
	}
}

func TestApprovals(t *testing.T) {
	c := streamCatalog(t, small())
	if len(c.approvals) != c.sum.Approvals || len(c.approvals) != 800*3/20 {
		t.Fatalf("approvals.json has %d entries, Summary.Approvals = %d, want %d", len(c.approvals), c.sum.Approvals, 800*3/20)
	}
	docs := decodeAll(t, c)
	latest := map[string]int{}
	for _, u := range docs {
		id := strings.ToLower(u.Identity.UpdateID)
		latest[id] = max(latest[id], u.Identity.RevisionNumber)
	}
	seen := map[string]bool{}
	deadlines := 0
	for _, a := range c.approvals {
		name := "metadata/" + a.UpdateID + "-r" + itoa(a.RevisionNumber) + ".xml"
		u, ok := docs[name]
		switch {
		case !ok:
			t.Errorf("approval %+v names no revision", a)
			continue
		case u.Props.ExplicitlyDeployable != "true":
			t.Errorf("approval %+v names a revision that is not explicitly deployable", a)
		case latest[a.UpdateID] != a.RevisionNumber:
			t.Errorf("approval %+v is not the latest revision (r%d)", a, latest[a.UpdateID])
		case a.Group != "All Computers" || a.Action != "Install":
			t.Errorf("approval %+v: want Group All Computers, Action Install", a)
		case seen[a.UpdateID]:
			t.Errorf("update %s approved twice", a.UpdateID)
		}
		seen[a.UpdateID] = true
		if a.Deadline != nil {
			deadlines++
		}
	}
	if deadlines == 0 || deadlines == len(c.approvals) {
		t.Errorf("%d of %d approvals have a deadline, want some", deadlines, len(c.approvals))
	}
	none := streamCatalog(t, Options{Revisions: 300, Approved: -1})
	if len(none.approvals) != 0 {
		t.Errorf("Approved -1 gave %d approvals, want none", len(none.approvals))
	}
}

func TestGenerate(t *testing.T) {
	dir := t.TempDir()
	opt := Options{Revisions: 300, Seed: 9, WithContent: true, ContentBytes: 64}
	sum, err := Generate(dir, opt)
	if err != nil {
		t.Fatalf("Generate error: %v", err)
	}
	c := streamCatalog(t, opt)
	if sum != c.sum {
		t.Errorf("Generate summary %+v, Stream summary %+v", sum, c.sum)
	}
	for name, data := range c.files {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%s on disk differs from Stream (err %v)", name, err)
		}
	}
	for _, sub := range []string{"metadata", "content"} {
		ents, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatal(err)
		}
		want := sum.Revisions
		if sub == "content" {
			want = sum.Files
		}
		if len(ents) != want {
			t.Errorf("%s holds %d files, want %d", sub, len(ents), want)
		}
	}
}

func TestInvalidOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  Options
	}{
		{"too few revisions", Options{Revisions: MinRevisions - 1}},
		{"tiny content", Options{Revisions: 300, ContentBytes: 3}},
		{"bad language", Options{Revisions: 300, Languages: []string{"de", "x<y"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Stream(tc.opt, func(string, []byte) error { return nil })
			if patchbay.ErrorCode(err) != patchbay.EInvalid {
				t.Errorf("Stream(%+v) = %v, want an invalid error", tc.opt, err)
			}
		})
	}
}

func TestLanguages(t *testing.T) {
	c := streamCatalog(t, Options{Revisions: 300, Languages: []string{"ja", "de"}})
	for name, u := range decodeAll(t, c) {
		if u.Props.UpdateType == "Detectoid" || len(u.Localized) == 1 {
			continue // detectoids and bundle members carry English only
		}
		var got []string
		for _, l := range u.Localized {
			got = append(got, l.Language)
		}
		if strings.Join(got, ",") != "en,ja,de" {
			t.Fatalf("%s: languages %v, want en, ja, de", name, got)
		}
	}
}
