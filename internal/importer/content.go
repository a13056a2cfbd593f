package importer

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"patchbay"
	"patchbay/internal/content"
)

// importContent hashes every non-XML file and hands those that a revision
// lists (by SHA-1) to the content sink under the extension of the listed
// file name, as WSUS names content files.
func (im *Importer) importContent(ctx context.Context, paths []string, sum *Summary, referenced map[string]patchbay.File) error {
	if im.Content == nil {
		sum.Ignored += len(paths)
		return nil
	}
	for i, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := im.importFile(ctx, p, sum, referenced); err != nil {
			return err
		}
		im.progress(PhaseContent, i+1, len(paths), sum)
	}
	return nil
}

// importFile hashes one candidate file and stores it when some revision
// lists it. It returns an error only for failures that must stop the import.
func (im *Importer) importFile(ctx context.Context, path string, sum *Summary, referenced map[string]patchbay.File) error {
	s1, s256, size, err := hashFile(path)
	if err != nil {
		sum.reject(path, err.Error())
		return nil
	}
	f, ok := referenced[string(s1)]
	if !ok && im.Files != nil {
		f, err = im.Files.FileBySHA1(ctx, s1)
		switch patchbay.ErrorCode(err) {
		case "":
			ok = true
		case patchbay.ENotFound:
		default:
			return fmt.Errorf("look up file %x: %w", s1, err)
		}
	}
	if !ok {
		sum.Ignored++
		return nil
	}
	if len(f.SHA256) > 0 && !bytes.Equal(f.SHA256, s256) {
		sum.reject(path, fmt.Sprintf("sha256 %x differs from %x listed for %s", s256, f.SHA256, f.FileName))
		return nil
	}
	if f.Size >= 0 && f.Size != size {
		// The SHA-1 matches but the length does not: metadata and file
		// disagree, and clients would refuse the download.
		sum.reject(path, fmt.Sprintf("size %d differs from %d listed for %s", size, f.Size, f.FileName))
		return nil
	}
	ext, ok := content.NormalizeExt(filepath.Ext(f.FileName))
	if !ok {
		ext = ""
	}
	r, err := os.Open(path)
	if err != nil {
		sum.reject(path, err.Error())
		return nil
	}
	defer r.Close()
	if err := im.Content.Put(ctx, s1, s256, size, ext, r); err != nil {
		if patchbay.ErrorCode(err) == patchbay.EInvalid {
			sum.reject(path, err.Error())
			return nil
		}
		return fmt.Errorf("store content %s (%s): %w", hex.EncodeToString(s1), path, err)
	}
	sum.ContentFiles++
	sum.Bytes += size
	return nil
}

// hashFile returns the SHA-1 and SHA-256 of the file at path and its size.
func hashFile(path string) (s1, s256 []byte, size int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, 0, err
	}
	defer f.Close()
	h1, h256 := sha1.New(), sha256.New()
	size, err = io.Copy(io.MultiWriter(h1, h256), f)
	if err != nil {
		return nil, nil, 0, err
	}
	return h1.Sum(nil), h256.Sum(nil), size, nil
}
