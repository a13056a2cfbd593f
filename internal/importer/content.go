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
	"runtime"
	"sync"

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
	// Files are hashed and stored by several workers at once: each store
	// ends in an fsync, and disks overlap those well. Results are applied
	// in path order, chunk by chunk, so the summary reads the same as a
	// sequential import's.
	workers := min(8, 4*runtime.GOMAXPROCS(0))
	for start := 0; start < len(paths); start += 4 * workers {
		if err := ctx.Err(); err != nil {
			return err
		}
		chunk := paths[start:min(start+4*workers, len(paths))]
		results := make([]fileResult, len(chunk))
		errs := make([]error, len(chunk))
		var wg sync.WaitGroup
		next := make(chan int)
		for range min(workers, len(chunk)) {
			wg.Go(func() {
				for i := range next {
					results[i], errs[i] = im.importFile(ctx, chunk[i], referenced)
				}
			})
		}
		for i := range chunk {
			next <- i
		}
		close(next)
		wg.Wait()
		for i, r := range results {
			if errs[i] != nil {
				return errs[i]
			}
			switch {
			case r.reject != "":
				sum.reject(chunk[i], r.reject)
			case r.ignored:
				sum.Ignored++
			default:
				sum.ContentFiles++
				sum.Bytes += r.size
			}
		}
		im.progress(PhaseContent, start+len(chunk), len(paths), sum)
	}
	return nil
}

// fileResult is what importing one candidate file did.
type fileResult struct {
	ignored bool   // no revision lists it
	reject  string // why it was refused, or ""
	size    int64  // bytes stored
}

// importFile hashes one candidate file and stores it when some revision
// lists it. It returns an error only for failures that must stop the import.
func (im *Importer) importFile(ctx context.Context, path string, referenced map[string]patchbay.File) (fileResult, error) {
	s1, s256, size, err := hashFile(path)
	if err != nil {
		return fileResult{reject: err.Error()}, nil
	}
	f, ok := referenced[string(s1)]
	if !ok && im.Files != nil {
		f, err = im.Files.FileBySHA1(ctx, s1)
		switch patchbay.ErrorCode(err) {
		case "":
			ok = true
		case patchbay.ENotFound:
		default:
			return fileResult{}, fmt.Errorf("look up file %x: %w", s1, err)
		}
	}
	if !ok {
		return fileResult{ignored: true}, nil
	}
	if len(f.SHA256) > 0 && !bytes.Equal(f.SHA256, s256) {
		return fileResult{reject: fmt.Sprintf("sha256 %x differs from %x listed for %s", s256, f.SHA256, f.FileName)}, nil
	}
	if f.Size >= 0 && f.Size != size {
		// The SHA-1 matches but the length does not: metadata and file
		// disagree, and clients would refuse the download.
		return fileResult{reject: fmt.Sprintf("size %d differs from %d listed for %s", size, f.Size, f.FileName)}, nil
	}
	ext, ok := content.NormalizeExt(filepath.Ext(f.FileName))
	if !ok {
		ext = ""
	}
	r, err := os.Open(path)
	if err != nil {
		return fileResult{reject: err.Error()}, nil
	}
	defer r.Close()
	if err := im.Content.Put(ctx, s1, s256, size, ext, r); err != nil {
		if patchbay.ErrorCode(err) == patchbay.EInvalid {
			return fileResult{reject: err.Error()}, nil
		}
		return fileResult{}, fmt.Errorf("store content %s (%s): %w", hex.EncodeToString(s1), path, err)
	}
	return fileResult{size: size}, nil
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
