// Package disk is a content.Store on a local or shared file system, laid out
// like WSUS's WsusContent folder (dir/XX/SHA1HEX.ext, see content.Name), so an
// existing WSUS content folder can be served as is.
package disk

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"patchbay"
	"patchbay/internal/content"
)

// Store is a content store rooted at one directory. It is safe for
// concurrent use; several processes may share the directory (files appear
// by atomic rename), but a partial download must be owned by one process.
type Store struct {
	dir string

	mu       sync.Mutex
	exts     map[key]string        // extension of files seen, to skip directory scans
	busy     map[key]chan struct{} // per-digest lock held by Put and Commit
	partials map[key]bool          // digests with an open Partial
}

var _ content.Store = (*Store)(nil)

type key [content.SHA1Size]byte

// Open returns the store rooted at dir, creating the directory if needed.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open content store: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("open content store: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("open content store: %s is not a directory", dir)
	}
	return &Store{
		dir:      dir,
		exts:     make(map[key]string),
		busy:     make(map[key]chan struct{}),
		partials: make(map[key]bool),
	}, nil
}

// Dir returns the root directory.
func (s *Store) Dir() string { return s.dir }

// Open opens the file stored under sha1. It returns patchbay.ENotFound when
// the file is absent and patchbay.EInvalid for a malformed digest.
func (s *Store) Open(ctx context.Context, sha1 []byte) (*content.File, error) {
	k, err := toKey(sha1)
	if err != nil {
		return nil, err
	}
	for range 2 { // a file renamed away between lookup and open: look again once
		p, _, err := s.lookup(ctx, k)
		if err != nil {
			return nil, err
		}
		f, err := os.Open(p)
		if errors.Is(err, fs.ErrNotExist) {
			s.forget(k)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("open content %s: %w", hexOf(k), err)
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("open content %s: %w", hexOf(k), err)
		}
		return &content.File{ReadSeekCloser: f, Info: infoOf(k, p, fi)}, nil
	}
	return nil, notFound(k)
}

// Stat describes the file stored under sha1 (patchbay.ENotFound when absent).
func (s *Store) Stat(ctx context.Context, sha1 []byte) (content.Info, error) {
	k, err := toKey(sha1)
	if err != nil {
		return content.Info{}, err
	}
	p, fi, err := s.lookup(ctx, k)
	if err != nil {
		return content.Info{}, err
	}
	return infoOf(k, p, fi), nil
}

// Has reports whether a file is stored under sha1.
func (s *Store) Has(ctx context.Context, sha1 []byte) (bool, error) {
	_, err := s.Stat(ctx, sha1)
	if patchbay.ErrorCode(err) == patchbay.ENotFound {
		return false, nil
	}
	return err == nil, err
}

// Delete removes the file stored under sha1 (patchbay.ENotFound when absent).
// An unfinished partial download of the same digest is left alone.
func (s *Store) Delete(ctx context.Context, sha1 []byte) error {
	k, err := toKey(sha1)
	if err != nil {
		return err
	}
	p, _, err := s.lookup(ctx, k)
	if err != nil {
		return err
	}
	s.forget(k)
	if err := os.Remove(p); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return notFound(k)
		}
		return fmt.Errorf("delete content %s: %w", hexOf(k), err)
	}
	return nil
}

// Walk calls fn for every stored file, folder by folder in name order. Temporary
// and partial files (names starting with '.') and names that are not a digest
// in its right folder are skipped.
func (s *Store) Walk(ctx context.Context, fn func(content.Info) error) error {
	folders, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("walk content: %w", err)
	}
	for _, d := range folders {
		if !d.IsDir() || len(d.Name()) != 2 {
			continue
		}
		entries, err := os.ReadDir(filepath.Join(s.dir, d.Name()))
		if err != nil {
			return fmt.Errorf("walk content: %w", err)
		}
		for _, e := range entries {
			if err := ctx.Err(); err != nil {
				return err
			}
			sum, ok := parseName(d.Name(), e.Name())
			if !ok || !e.Type().IsRegular() {
				continue
			}
			fi, err := e.Info()
			if errors.Is(err, fs.ErrNotExist) {
				continue // deleted meanwhile
			}
			if err != nil {
				return fmt.Errorf("walk content: %w", err)
			}
			if err := fn(infoOf(sum, filepath.Join(s.dir, d.Name(), e.Name()), fi)); err != nil {
				return err
			}
		}
	}
	return nil
}

// lookup finds the file of k, whatever its extension: first under the
// extension last seen, then by scanning its folder (case-insensitively, as
// files copied from Windows may differ in case).
func (s *Store) lookup(ctx context.Context, k key) (string, fs.FileInfo, error) {
	if err := ctx.Err(); err != nil {
		return "", nil, err
	}
	h := hexOf(k)
	folder := filepath.Join(s.dir, h[len(h)-2:])
	s.mu.Lock()
	ext, cached := s.exts[k]
	s.mu.Unlock()
	if cached {
		p := filepath.Join(folder, h+ext)
		fi, err := os.Stat(p)
		if err == nil && fi.Mode().IsRegular() {
			return p, fi, nil
		}
		s.forget(k)
	}
	entries, err := os.ReadDir(folder)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil, notFound(k)
	}
	if err != nil {
		return "", nil, fmt.Errorf("look up content %s: %w", h, err)
	}
	// Prefer the exact upper-case name WSUS writes, then any case.
	sort.SliceStable(entries, func(i, j int) bool {
		return strings.HasPrefix(entries[i].Name(), h) && !strings.HasPrefix(entries[j].Name(), h)
	})
	for _, e := range entries {
		sum, ok := parseName(h[len(h)-2:], e.Name())
		if !ok || sum != k || !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		if e.Name()[:2*content.SHA1Size] == h {
			// Only names in WSUS's case can be found again from the cache.
			s.remember(k, e.Name()[2*content.SHA1Size:])
		}
		return filepath.Join(folder, e.Name()), fi, nil
	}
	return "", nil, notFound(k)
}

func (s *Store) remember(k key, ext string) {
	s.mu.Lock()
	s.exts[k] = ext
	s.mu.Unlock()
}

func (s *Store) forget(k key) {
	s.mu.Lock()
	delete(s.exts, k)
	s.mu.Unlock()
}

// lock takes the per-digest lock that serializes Put and Commit of one
// digest in this process; it returns the unlock function.
func (s *Store) lock(ctx context.Context, k key) (func(), error) {
	for {
		s.mu.Lock()
		ch, held := s.busy[k]
		if !held {
			ch = make(chan struct{})
			s.busy[k] = ch
			s.mu.Unlock()
			return func() {
				s.mu.Lock()
				delete(s.busy, k)
				s.mu.Unlock()
				close(ch)
			}, nil
		}
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// parseName reports whether name, found in folder, is a stored file
// "SHA1HEX[.ext]" whose last byte is folder, and returns its digest.
func parseName(folder, name string) (key, bool) {
	var k key
	if len(name) < 2*content.SHA1Size || name[0] == '.' {
		return k, false
	}
	rest := name[2*content.SHA1Size:]
	if rest != "" && rest[0] != '.' {
		return k, false
	}
	if _, ok := content.NormalizeExt(rest); !ok {
		return k, false
	}
	if _, err := hex.Decode(k[:], []byte(name[:2*content.SHA1Size])); err != nil {
		return k, false
	}
	if !strings.EqualFold(folder, name[2*content.SHA1Size-2:2*content.SHA1Size]) {
		return k, false
	}
	return k, true
}

func infoOf(k key, path string, fi fs.FileInfo) content.Info {
	return content.Info{
		SHA1:    append([]byte(nil), k[:]...),
		Ext:     filepath.Base(path)[2*content.SHA1Size:],
		Size:    fi.Size(),
		ModTime: fi.ModTime(),
	}
}

func toKey(sha1 []byte) (key, error) {
	var k key
	if len(sha1) != content.SHA1Size {
		return k, patchbay.Errorf(patchbay.EInvalid, "sha1 digest has %d bytes, want %d", len(sha1), content.SHA1Size)
	}
	copy(k[:], sha1)
	return k, nil
}

func hexOf(k key) string { return strings.ToUpper(hex.EncodeToString(k[:])) }

func notFound(k key) error {
	return patchbay.Errorf(patchbay.ENotFound, "content %s not found", hexOf(k))
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// hashFile reports whether the file at path matches want.
func hashFile(ctx context.Context, path string, want content.Digests) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	v := content.NewVerifier(want)
	if _, err := io.Copy(v, ctxReader{ctx, f}); err != nil {
		return err
	}
	return v.Check()
}

// ctxReader stops reading once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
