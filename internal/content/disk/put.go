package disk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"patchbay"
	"patchbay/internal/content"
)

// Put stores r under sha1 as dir/XX/SHA1HEX.ext. It writes to a temporary
// file in the same folder while hashing, checks the SHA-1, the SHA-256 (when
// not empty) and the size (when >= 0; it never reads more than size+1
// bytes), fsyncs, and renames the file into place, so readers never see a
// partial file (protocol-wsusss.md §16.3–16.4). On a mismatch the temporary
// file is deleted and Put returns a *patchbay.Error with code
// patchbay.EInvalid naming the expected and actual values. A file already
// present that still matches is kept and r is not read; one that no longer
// matches is replaced. Concurrent Puts of one digest are serialized.
func (s *Store) Put(ctx context.Context, sha1, sha256 []byte, size int64, ext string, r io.Reader) error {
	want := content.Digests{SHA1: sha1, SHA256: sha256, Size: size}
	if err := content.CheckDigests(want); err != nil {
		return err
	}
	norm, ok := content.NormalizeExt(ext)
	if !ok {
		return patchbay.Errorf(patchbay.EInvalid, "file extension %q is not a plain extension", ext)
	}
	ext = norm
	k, _ := toKey(sha1)
	unlock, err := s.lock(ctx, k)
	if err != nil {
		return err
	}
	defer unlock()

	old, err := s.present(ctx, k, want)
	if err != nil || old == "" {
		return err
	}
	name := content.Name(sha1, ext)
	final := filepath.Join(s.dir, filepath.FromSlash(name))
	if err := s.write(ctx, k, final, want, r); err != nil {
		return err
	}
	if old != "-" && old != final {
		// The old copy was damaged and had another extension.
		if err := os.Remove(old); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("put content %s: remove damaged copy: %w", hexOf(k), err)
		}
	}
	s.remember(k, ext)
	return nil
}

// present returns "" when a file matching want is already stored, the path
// of a stored file that does not match, or "-" when there is none.
func (s *Store) present(ctx context.Context, k key, want content.Digests) (string, error) {
	p, _, err := s.lookup(ctx, k)
	switch patchbay.ErrorCode(err) {
	case "":
	case patchbay.ENotFound:
		return "-", nil
	default:
		return "", err
	}
	err = hashFile(ctx, p, want)
	switch patchbay.ErrorCode(err) {
	case "":
		return "", nil
	case patchbay.EInvalid:
		return p, nil
	default:
		if errors.Is(err, os.ErrNotExist) {
			return "-", nil
		}
		return "", fmt.Errorf("put content %s: check stored copy: %w", hexOf(k), err)
	}
}

// write copies r through a verified temporary file to final.
func (s *Store) write(ctx context.Context, k key, final string, want content.Digests, r io.Reader) (err error) {
	folder := filepath.Dir(final)
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return fmt.Errorf("put content %s: %w", hexOf(k), err)
	}
	tmp, err := os.CreateTemp(folder, "."+hexOf(k)+".tmp-*")
	if err != nil {
		return fmt.Errorf("put content %s: %w", hexOf(k), err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	v := content.NewVerifier(want)
	var src io.Reader = ctxReader{ctx, r}
	if want.Size >= 0 {
		src = io.LimitReader(src, want.Size+1)
	}
	if _, err := io.Copy(io.MultiWriter(tmp, v), src); err != nil {
		return fmt.Errorf("put content %s: %w", hexOf(k), err)
	}
	if err := v.Check(); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("put content %s: %w", hexOf(k), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("put content %s: %w", hexOf(k), err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("put content %s: %w", hexOf(k), err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fmt.Errorf("put content %s: %w", hexOf(k), err)
	}
	if err := syncDir(folder); err != nil {
		return fmt.Errorf("put content %s: %w", hexOf(k), err)
	}
	return nil
}
