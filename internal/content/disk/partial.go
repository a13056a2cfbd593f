package disk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"patchbay"
	"patchbay/internal/content"
)

// Partial is an unfinished download of one file, kept as
// dir/XX/.SHA1HEX.partial with the HTTP validator of its source beside it
// (.SHA1HEX.partial.validator), so that a download interrupted by a dropped
// connection or a restart resumes where it stopped [MC-BUP §3.6]. It
// implements download.PartialWriter. A Partial is not safe for concurrent use.
//
// The owner ends it with Commit (verified and moved into the store), Close
// (kept for a later resume) or Discard (deleted).
type Partial struct {
	s         *Store
	k         key
	ext       string
	f         *os.File
	offset    int64
	validator string
	done      bool
}

// Partial opens, or creates, the partial download of sha1; ext is the
// extension the file gets at Commit. Offset tells how many bytes it already
// holds. Only one Partial per digest may be open in a process at a time:
// another caller gets patchbay.EBusy until this one is closed.
func (s *Store) Partial(ctx context.Context, sha1 []byte, ext string) (*Partial, error) {
	k, err := toKey(sha1)
	if err != nil {
		return nil, err
	}
	norm, ok := content.NormalizeExt(ext)
	if !ok {
		return nil, patchbay.Errorf(patchbay.EInvalid, "file extension %q is not a plain extension", ext)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.partials[k] {
		s.mu.Unlock()
		return nil, patchbay.Errorf(patchbay.EBusy, "download of content %s already in progress", hexOf(k))
	}
	s.partials[k] = true
	s.mu.Unlock()

	p := &Partial{s: s, k: k, ext: norm}
	if err := p.open(); err != nil {
		s.release(k)
		return nil, fmt.Errorf("open partial content %s: %w", hexOf(k), err)
	}
	return p, nil
}

func (p *Partial) open() error {
	if err := os.MkdirAll(filepath.Dir(p.path()), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p.path(), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	off, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		f.Close()
		return err
	}
	b, err := os.ReadFile(p.validatorPath())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		f.Close()
		return err
	}
	p.f, p.offset, p.validator = f, off, strings.TrimSpace(string(b))
	return nil
}

func (p *Partial) path() string {
	h := hexOf(p.k)
	return filepath.Join(p.s.dir, h[len(h)-2:], "."+h+".partial")
}

func (p *Partial) validatorPath() string { return p.path() + ".validator" }

// Offset returns the number of bytes held.
func (p *Partial) Offset() int64 { return p.offset }

// Write appends b.
func (p *Partial) Write(b []byte) (int, error) {
	if p.done {
		return 0, os.ErrClosed
	}
	n, err := p.f.Write(b)
	p.offset += int64(n)
	return n, err
}

// Validator returns the saved validator of the source (an ETag or a
// Last-Modified date, for If-Range), or "".
func (p *Partial) Validator() string { return p.validator }

// SetValidator saves v as the validator of the bytes held.
func (p *Partial) SetValidator(v string) error {
	if p.done {
		return os.ErrClosed
	}
	if strings.ContainsAny(v, "\r\n") {
		return patchbay.Errorf(patchbay.EInvalid, "validator holds a line break")
	}
	if v == p.validator {
		return nil
	}
	if err := os.WriteFile(p.validatorPath(), []byte(v), 0o644); err != nil {
		return fmt.Errorf("save validator of partial content %s: %w", hexOf(p.k), err)
	}
	p.validator = v
	return nil
}

// Reset drops the bytes held and the validator, to start again from zero.
func (p *Partial) Reset() error {
	if p.done {
		return os.ErrClosed
	}
	if err := p.f.Truncate(0); err != nil {
		return fmt.Errorf("reset partial content %s: %w", hexOf(p.k), err)
	}
	if _, err := p.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("reset partial content %s: %w", hexOf(p.k), err)
	}
	p.offset = 0
	if err := os.Remove(p.validatorPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("reset partial content %s: %w", hexOf(p.k), err)
	}
	p.validator = ""
	return nil
}

// Commit verifies the whole file against want (want.SHA1 must be the digest
// the Partial was opened for) and moves it into the store as
// dir/XX/SHA1HEX.ext. On a mismatch it deletes the partial and returns a
// *patchbay.Error with code patchbay.EInvalid naming expected and actual
// digests; on other errors the partial is kept. Commit closes the Partial
// unless it returns an error other than a mismatch.
func (p *Partial) Commit(ctx context.Context, want content.Digests) error {
	if p.done {
		return os.ErrClosed
	}
	if err := content.CheckDigests(want); err != nil {
		return err
	}
	if !bytes.Equal(want.SHA1, p.k[:]) {
		return patchbay.Errorf(patchbay.EInvalid, "partial content %s committed as %X", hexOf(p.k), want.SHA1)
	}
	if err := p.f.Sync(); err != nil {
		return fmt.Errorf("commit partial content %s: %w", hexOf(p.k), err)
	}
	v := content.NewVerifier(want)
	if _, err := io.Copy(v, ctxReader{ctx, io.NewSectionReader(p.f, 0, p.offset)}); err != nil {
		return fmt.Errorf("commit partial content %s: %w", hexOf(p.k), err)
	}
	if err := v.Check(); err != nil {
		if derr := p.Discard(); derr != nil {
			return errors.Join(err, derr)
		}
		return err
	}

	unlock, err := p.s.lock(ctx, p.k)
	if err != nil {
		return err
	}
	defer unlock()
	final := filepath.Join(p.s.dir, filepath.FromSlash(content.Name(p.k[:], p.ext)))
	if err := p.f.Close(); err != nil {
		return fmt.Errorf("commit partial content %s: %w", hexOf(p.k), err)
	}
	p.done = true
	defer p.s.release(p.k)
	if err := os.Rename(p.path(), final); err != nil {
		return fmt.Errorf("commit partial content %s: %w", hexOf(p.k), err)
	}
	if err := syncDir(filepath.Dir(final)); err != nil {
		return fmt.Errorf("commit partial content %s: %w", hexOf(p.k), err)
	}
	if err := os.Remove(p.validatorPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("commit partial content %s: %w", hexOf(p.k), err)
	}
	p.s.remember(p.k, p.ext)
	return nil
}

// Close keeps the bytes held for a later resume and releases the Partial.
// It is a no-op after Commit or Discard.
func (p *Partial) Close() error {
	if p.done {
		return nil
	}
	p.done = true
	defer p.s.release(p.k)
	if err := p.f.Close(); err != nil {
		return fmt.Errorf("close partial content %s: %w", hexOf(p.k), err)
	}
	return nil
}

// Discard deletes the partial download and releases it.
func (p *Partial) Discard() error {
	if p.done {
		return nil
	}
	p.done = true
	defer p.s.release(p.k)
	p.f.Close()
	var errs []error
	for _, name := range []string{p.path(), p.validatorPath()} {
		if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("discard partial content %s: %w", hexOf(p.k), err)
	}
	return nil
}

func (s *Store) release(k key) {
	s.mu.Lock()
	delete(s.partials, k)
	s.mu.Unlock()
}
