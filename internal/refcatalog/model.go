package refcatalog

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// kind is what a generated revision is.
type kind uint8

const (
	kindCompany kind = iota
	kindFamily
	kindProduct
	kindClassification
	kindDetectoid
	kindBundle
	kindLeaf
	kindStandalone
	kindDriver
)

// rev is one generated revision: one metadata document.
type rev struct {
	id      string // lower-case UpdateID, used in references
	idText  string // the spelling in the document's own UpdateIdentity
	num     int    // RevisionNumber
	kind    kind
	created time.Time
	seed    uint64 // seeds the rendering of details (rules, texts)

	cat *category
	det *detectoid
	sw  *software
	drv *driver
}

// ref is an UpdateIdentity with a revision number, as bundles use.
type ref struct {
	id  string
	num int
}

// epoch is the fixed origin of every generated date, so output does not
// depend on the clock.
var epoch = time.Date(2019, time.January, 8, 18, 0, 0, 0, time.UTC)

// Publisher IDs seen in real documents (wsus-rs captures): categories of the
// classic catalog, newer categories, and software.
const (
	publisherClassic  = "42f20e12-2856-447d-a8b2-68f06c2e9b45"
	publisherCategory = "395392a0-19c0-48b7-a927-f7c15066d905"
	publisherSoftware = "bccf8ca0-2819-4598-8d15-c1506e363e92"
)

// gen holds the state of one generation run.
type gen struct {
	opt     Options
	rng     *rand.Rand
	revs    []*rev
	files   map[string]*file // by upper-case SHA-1 hex
	kb      int
	scratch []byte // reused to hash content

	company         *rev
	families        []*rev
	products        []*rev
	classifications map[string]*rev // by classification name
	archDetectoids  map[string]*rev // by arch name
	langDetectoids  []*rev
	productDet      map[*category]*rev
	versionDet      map[*category][]*rev
	seen            map[string]bool // UpdateIDs handed out
}

func newGen(opt Options) *gen {
	return &gen{
		opt:             opt,
		rng:             rand.New(rand.NewPCG(uint64(opt.Seed), 0x5eed_0f_4e_f1a7_ca7a)),
		files:           make(map[string]*file),
		kb:              5000000,
		classifications: make(map[string]*rev),
		archDetectoids:  make(map[string]*rev),
		productDet:      make(map[*category]*rev),
		versionDet:      make(map[*category][]*rev),
		seen:            make(map[string]bool),
	}
}

// guid returns a fresh random (version 4) GUID from the seeded generator.
func (g *gen) guid() string {
	for {
		hi, lo := g.rng.Uint64(), g.rng.Uint64()
		hi = hi&^0xf000 | 0x4000
		lo = lo&^(0xc<<60) | 0x8<<60
		s := fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", hi>>32, hi>>16&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff)
		if !g.seen[s] {
			g.seen[s] = true
			return s
		}
	}
}

// add appends a revision to the catalog.
func (g *gen) add(r *rev) *rev {
	if r.idText == "" {
		r.idText = r.id
	}
	r.seed = g.rng.Uint64()
	g.seen[r.id] = true
	g.revs = append(g.revs, r)
	return r
}

// pick returns a random element of s.
func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// between returns a random int in [lo, hi].
func between(r *rand.Rand, lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

// stamp formats t as real documents do: UTC with milliseconds.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// stampSeconds formats t with whole seconds, as File/@Modified does.
func stampSeconds(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// revisionRNG returns the generator that renders r's details.
func revisionRNG(r *rev) *rand.Rand { return rand.New(rand.NewPCG(r.seed, 0xd0c)) }
