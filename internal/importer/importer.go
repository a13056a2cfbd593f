// Package importer loads update metadata and content from files, the logic of
// `patchbay import [--data DIR] PATH`: every *.xml file under PATH is a full
// update XML document, and any other file whose digest some revision lists
// in its Files is handed to the content store.
package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"patchbay"
	"patchbay/internal/store"
	"patchbay/internal/updatexml"
)

// DefaultBatchSize is how many revisions are stored per transaction when
// Importer.BatchSize is zero.
const DefaultBatchSize = 500

// RevisionWriter stores parsed revisions idempotently; *sqlite.DB satisfies it.
type RevisionWriter interface {
	PutRevisions(ctx context.Context, recs []store.RevisionRecord) (store.PutResult, error)
}

// FileIndex finds a file that a stored revision lists by SHA-1, returning an
// error with code patchbay.ENotFound when none does; *sqlite.DB satisfies it.
type FileIndex interface {
	FileBySHA1(ctx context.Context, sha1 []byte) (patchbay.File, error)
}

// ContentSink stores one content file after checking its digests and size.
// content.Store (content/disk) satisfies it. An error with code
// patchbay.EInvalid rejects that file; any other error aborts the import.
type ContentSink interface {
	Put(ctx context.Context, sha1, sha256 []byte, size int64, ext string, r io.Reader) error
}

// Importer imports a folder or a file. Set its fields, then call Import; an
// Importer must not be copied or used for two imports at once.
type Importer struct {
	// Revisions receives the parsed revisions. Required.
	Revisions RevisionWriter
	// Files recognises content files of revisions imported earlier. Nil
	// means only files listed by revisions of the same import are recognised.
	Files FileIndex
	// Content receives the recognised content files. Nil means content
	// files are ignored (metadata-only import).
	Content ContentSink
	// BatchSize is the number of revisions per transaction; zero means
	// DefaultBatchSize.
	BatchSize int
	// Progress, when not nil, is called from Import's goroutine after each
	// batch of metadata and after each content file.
	Progress func(Progress)
}

// Summary is the outcome of an import.
type Summary struct {
	Added     int // revisions new to the store
	Unchanged int // revisions already held byte for byte
	Updated   int // revisions held with different bytes, now replaced
	Rejected  int // files refused; see Rejections
	// Rejections lists each refused file with why, in the order met.
	Rejections []Rejection
	// ContentFiles and Bytes count the content files handed to the sink.
	ContentFiles int
	Bytes        int64
	// Ignored counts non-XML files that no revision lists.
	Ignored int
}

// Rejection is one file the import refused.
type Rejection struct {
	Path   string
	Reason string
}

// Phase names what an import is doing.
type Phase string

// The phases of an import, in order.
const (
	PhaseMetadata Phase = "metadata"
	PhaseContent  Phase = "content"
)

// Progress reports how far an import has got.
type Progress struct {
	Phase Phase
	// Done and Total count the files of this phase.
	Done, Total int
	// Summary is the result so far; do not modify its Rejections.
	Summary Summary
}

// Import walks path (a folder, recursively, or a single file) and imports
// every *.xml file as update metadata, then every other file as candidate
// content. A document that does not parse, or a file that cannot be read, is
// rejected with its reason and does not stop the import; re-importing the
// same folder reports everything Unchanged. Import returns an error only
// when path cannot be walked at all, the context ends, or the store or the
// content sink fails; the Summary then tells what was done before.
func (im *Importer) Import(ctx context.Context, path string) (Summary, error) {
	var sum Summary
	if im.Revisions == nil {
		return sum, patchbay.Errorf(patchbay.EInvalid, "import: no revision writer")
	}
	xmlPaths, otherPaths, err := im.walk(path, &sum)
	if err != nil {
		return sum, fmt.Errorf("import %s: %w", path, err)
	}
	referenced := make(map[string]patchbay.File) // by raw SHA-1
	if err := im.importMetadata(ctx, xmlPaths, &sum, referenced); err != nil {
		return sum, fmt.Errorf("import %s: %w", path, err)
	}
	if err := im.importContent(ctx, otherPaths, &sum, referenced); err != nil {
		return sum, fmt.Errorf("import %s: %w", path, err)
	}
	return sum, nil
}

// walk lists the files under root in lexical order, splitting update XML
// from the rest. Unreadable folders are rejected, not fatal.
func (im *Importer) walk(root string, sum *Summary) (xmlPaths, otherPaths []string, err error) {
	if _, err := os.Stat(root); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, &patchbay.Error{Code: patchbay.ENotFound, Message: "no such file or folder", Err: err}
		}
		return nil, nil, err
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			sum.reject(p, err.Error())
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			// Follow links to files (an administrator's staging folder);
			// links to folders are not followed, so no walk can loop.
			if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil // folders, devices, sockets
		}
		if strings.EqualFold(filepath.Ext(p), ".xml") {
			xmlPaths = append(xmlPaths, p)
		} else {
			otherPaths = append(otherPaths, p)
		}
		return nil
	})
	return xmlPaths, otherPaths, err
}

func (s *Summary) reject(path, reason string) {
	s.Rejected++
	s.Rejections = append(s.Rejections, Rejection{Path: path, Reason: reason})
}

func (im *Importer) progress(phase Phase, done, total int, sum *Summary) {
	if im.Progress != nil {
		im.Progress(Progress{Phase: phase, Done: done, Total: total, Summary: *sum})
	}
}

// parsed is the outcome of reading and parsing one file.
type parsed struct {
	rec store.RevisionRecord
	err error
}

// importMetadata parses the documents batch by batch (in parallel within a
// batch) and stores each batch in one transaction. It records the files the
// documents list in referenced.
func (im *Importer) importMetadata(ctx context.Context, paths []string, sum *Summary, referenced map[string]patchbay.File) error {
	size := im.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	results := make([]parsed, 0, min(size, len(paths)))
	for start := 0; start < len(paths); start += size {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch := paths[start:min(start+size, len(paths))]
		results = parseAll(batch, results[:0])
		var recs []store.RevisionRecord
		var recPaths []string
		for i, r := range results {
			if r.err != nil {
				sum.reject(batch[i], r.err.Error())
				continue
			}
			recs = append(recs, r.rec)
			recPaths = append(recPaths, batch[i])
			for _, f := range r.rec.Revision.Files {
				if len(f.SHA1) > 0 {
					referenced[string(f.SHA1)] = f
				}
			}
			// EULA files are content too: WUA fetches them by digest
			// (MS-WUSP §7 note 44).
			for _, e := range r.rec.Revision.Eulas {
				if _, dup := referenced[string(e.SHA1)]; len(e.SHA1) > 0 && !dup {
					referenced[string(e.SHA1)] = patchbay.File{FileName: e.FileName, Size: e.Size, SHA1: e.SHA1, SHA256: e.SHA256}
				}
			}
		}
		if err := im.put(ctx, recs, recPaths, sum); err != nil {
			return err
		}
		im.progress(PhaseMetadata, start+len(batch), len(paths), sum)
	}
	return nil
}

// put stores one batch. When the store refuses the batch as invalid, it
// retries record by record so that only the offending documents are
// rejected.
func (im *Importer) put(ctx context.Context, recs []store.RevisionRecord, paths []string, sum *Summary) error {
	if len(recs) == 0 {
		return nil
	}
	res, err := im.Revisions.PutRevisions(ctx, recs)
	if err == nil {
		sum.add(res)
		return nil
	}
	if patchbay.ErrorCode(err) != patchbay.EInvalid || len(recs) == 1 {
		if patchbay.ErrorCode(err) == patchbay.EInvalid {
			sum.reject(paths[0], err.Error())
			return nil
		}
		return err
	}
	for i := range recs {
		if err := im.put(ctx, recs[i:i+1], paths[i:i+1], sum); err != nil {
			return err
		}
	}
	return nil
}

func (s *Summary) add(r store.PutResult) {
	s.Added += r.Added
	s.Updated += r.Updated
	s.Unchanged += r.Unchanged
}

// parseAll reads and parses paths on all CPUs, keeping their order.
func parseAll(paths []string, out []parsed) []parsed {
	out = append(out, make([]parsed, len(paths))...)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(paths)) {
		wg.Go(func() {
			for i := range next {
				out[i] = parseFile(paths[i])
			}
		})
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// parseFile reads one update XML document. The bytes are kept verbatim.
func parseFile(path string) parsed {
	fi, err := os.Stat(path)
	if err != nil {
		return parsed{err: err}
	}
	if fi.Size() > updatexml.MaxSize {
		return parsed{err: fmt.Errorf("%d bytes is larger than the %d bytes an update document may have", fi.Size(), updatexml.MaxSize)}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return parsed{err: err}
	}
	doc, err := updatexml.Parse(data)
	if err != nil {
		return parsed{err: err}
	}
	return parsed{rec: store.RevisionRecord{Revision: doc.Revision, XML: data, Fragments: doc.Fragments}}
}
