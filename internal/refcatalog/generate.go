package refcatalog

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"patchbay"
)

// Options controls the size and shape of a generated catalog.
type Options struct {
	// Revisions is the number of revisions (metadata documents). Zero means
	// 20,000, the benchmark size; the minimum is MinRevisions.
	Revisions int
	// Approved is how many deployable revisions approvals.json lists. Zero
	// means 15 % of Revisions (3,000 for 20,000); negative means none. It is
	// capped at the number of deployable updates.
	Approved int
	// Languages are the languages of localized properties. Nil means en, de,
	// fr; "en" is added in front when missing (DefaultPropertiesLanguage).
	Languages []string
	// Seed selects the catalog: the same Options give the same bytes.
	Seed int64
	// ContentBytes is the mean size of a content file. Zero means 4096.
	ContentBytes int
	// WithContent makes Generate and Stream write content files too.
	WithContent bool
}

// MinRevisions is the smallest catalog: the category tree, the
// detectoids it needs and a few updates.
const MinRevisions = 200

// Summary counts what was generated.
type Summary struct {
	Revisions int // metadata documents
	Updates   int // distinct UpdateIDs

	Companies, ProductFamilies, Products, Classifications int
	Detectoids                                            int
	Bundles, Leaves, Standalone, Drivers                  int // revisions of each kind
	NestedBundles                                         int // bundles inside bundles, of Bundles

	MultiRevisionUpdates int // updates with more than one revision
	Superseding          int // revisions with SupersededUpdates
	WithEula             int // revisions with EulaID

	Files         int   // distinct content files, EULA files included
	ContentBytes  int64 // their total size
	MetadataBytes int64 // total size of the metadata documents
	Approvals     int
}

// Generate writes a catalog under dir: metadata/<UpdateID>-r<RevisionNumber>.xml,
// approvals.json and, with WithContent, content/<SHA1HEX>.<ext>. It returns
// an Invalid error for bad options and wraps I/O errors.
func Generate(dir string, opt Options) (Summary, error) {
	for _, sub := range []string{"metadata", "content"} {
		if sub == "content" && !opt.WithContent {
			continue
		}
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return Summary{}, fmt.Errorf("refcatalog: %w", err)
		}
	}
	return Stream(opt, func(name string, data []byte) error {
		return os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), data, 0o644)
	})
}

// Stream generates a catalog in memory and hands each file to emit with its
// slash-separated name relative to the catalog root ("metadata/…",
// "content/…", "approvals.json"). Metadata comes first, then content, then
// approvals.json. emit owns data. Stream stops at the first error of emit
// and returns it wrapped.
func Stream(opt Options, emit func(name string, data []byte) error) (Summary, error) {
	opt, err := normalize(opt)
	if err != nil {
		return Summary{}, err
	}
	g := newGen(opt)
	g.build()
	sum := g.summary()
	var w xw
	for _, r := range g.revs {
		w.b = make([]byte, 0, 4096)
		g.render(&w, r)
		sum.MetadataBytes += int64(len(w.b))
		if err := emit(metadataName(r), w.b); err != nil {
			return sum, fmt.Errorf("refcatalog: emit %s: %w", metadataName(r), err)
		}
	}
	for _, f := range g.fileList() {
		sum.Files++
		sum.ContentBytes += int64(f.size)
		if !opt.WithContent {
			continue
		}
		if err := emit(f.contentName(), f.content()); err != nil {
			return sum, fmt.Errorf("refcatalog: emit %s: %w", f.contentName(), err)
		}
	}
	approvals, data, err := g.approvals()
	if err != nil {
		return sum, err
	}
	sum.Approvals = approvals
	if err := emit("approvals.json", data); err != nil {
		return sum, fmt.Errorf("refcatalog: emit approvals.json: %w", err)
	}
	return sum, nil
}

// normalize applies the documented defaults.
func normalize(opt Options) (Options, error) {
	if opt.Revisions == 0 {
		opt.Revisions = 20000
	}
	if opt.Revisions < MinRevisions {
		return opt, patchbay.Errorf(patchbay.EInvalid, "refcatalog: %d revisions, want at least %d", opt.Revisions, MinRevisions)
	}
	if opt.ContentBytes == 0 {
		opt.ContentBytes = 4096
	}
	if opt.ContentBytes < 16 {
		return opt, patchbay.Errorf(patchbay.EInvalid, "refcatalog: ContentBytes %d, want at least 16", opt.ContentBytes)
	}
	if opt.Approved == 0 {
		opt.Approved = opt.Revisions * 3 / 20
	}
	langs := []string{"en"}
	src := opt.Languages
	if len(src) == 0 {
		src = defaultLanguages
	}
	for _, l := range src {
		l = strings.ToLower(strings.TrimSpace(l))
		if l == "" || strings.ContainsAny(l, `<>&"/\ `) {
			return opt, patchbay.Errorf(patchbay.EInvalid, "refcatalog: bad language %q", l)
		}
		dup := false
		for _, have := range langs {
			dup = dup || have == l
		}
		if !dup {
			langs = append(langs, l)
		}
	}
	opt.Languages = langs
	return opt, nil
}

// build plans the whole catalog: categories, detectoids (about 2 %),
// drivers (about 10 %), then software updates for the rest.
func (g *gen) build() {
	g.buildCategories()
	n := g.opt.Revisions
	g.buildDetectoids(max(n/50, len(g.products)+6))
	drivers := n / 10
	g.buildDrivers(drivers)
	g.buildSoftware(n - len(g.revs))
}

// render writes the document of r into w.
func (g *gen) render(w *xw, r *rev) {
	switch r.kind {
	case kindCompany, kindFamily, kindProduct, kindClassification:
		g.renderCategory(w, r)
	case kindDetectoid:
		g.renderDetectoid(w, r)
	case kindDriver:
		g.renderDriver(w, r)
	default:
		g.renderSoftware(w, r, revisionRNG(r))
	}
}

// metadataName is the name of r's document: metadata/<UpdateID>-r<N>.xml.
func metadataName(r *rev) string {
	return fmt.Sprintf("metadata/%s-r%d.xml", r.id, r.num)
}

// fileList returns the content files in the order they were created.
func (g *gen) fileList() []*file {
	var out []*file
	seen := make(map[*file]bool, len(g.files))
	add := func(f *file) {
		if f != nil && !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	for _, r := range g.revs {
		switch {
		case r.sw != nil:
			for _, f := range r.sw.files {
				add(f)
			}
			for _, f := range r.sw.eula {
				add(f)
			}
		case r.drv != nil:
			add(r.drv.file)
		}
	}
	return out
}

func (g *gen) summary() Summary {
	var s Summary
	ids := map[string]int{}
	for _, r := range g.revs {
		s.Revisions++
		ids[r.id]++
		switch r.kind {
		case kindCompany:
			s.Companies++
		case kindFamily:
			s.ProductFamilies++
		case kindProduct:
			s.Products++
		case kindClassification:
			s.Classifications++
		case kindDetectoid:
			s.Detectoids++
		case kindBundle:
			s.Bundles++
			if r.sw.hidden {
				s.NestedBundles++
			}
		case kindLeaf:
			s.Leaves++
		case kindStandalone:
			s.Standalone++
		case kindDriver:
			s.Drivers++
		}
		if (r.sw != nil && len(r.sw.superseded) > 0) || (r.drv != nil && len(r.drv.superseded) > 0) {
			s.Superseding++
		}
		if r.sw != nil && r.sw.eulaID != "" && r.kind != kindLeaf {
			s.WithEula++
		}
	}
	s.Updates = len(ids)
	for _, n := range ids {
		if n > 1 {
			s.MultiRevisionUpdates++
		}
	}
	return s
}
