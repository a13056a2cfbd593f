package content

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path"
	"strings"
	"time"
)

// SelfUpdate returns the handler of the self-update content directory
// [MS-WUSP §2.1, §2.2.2.5, §3.1.5.1], serving the files an administrator
// copies into dir (from a WSUS server's SelfUpdate folder) read-only under
// "/SelfUpdate/…". Windows 8.1 and earlier fetch wuident.cab from it first and
// stop talking to a server that lacks a Microsoft-signed one; Windows 10 and
// later never ask [MS-WUSP §7 notes 48, 49]. SelfUpdate creates dir when
// missing.
//
// Like IIS it matches the prefix and each path segment case-insensitively,
// ignores repeated slashes, and supports HEAD, ranges and conditional
// requests (http.ServeContent, Content-Type application/octet-stream, an
// IIS-style ETag from the modification time). A missing file answers 404 (a
// WSUS without self-update files does the same, protocol-wusp.md §9.5); a
// directory, including "/SelfUpdate/" itself, answers 403 as IIS does with
// directory browsing off; names starting with '.', ".." segments and symbolic
// links leading out of dir answer 404.
func SelfUpdate(dir string, opts HandlerOptions) (http.Handler, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("self-update directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("self-update directory: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("self-update directory: %s is not a directory", dir)
	}
	return &selfUpdateHandler{dir: dir, log: opts.logger()}, nil
}

type selfUpdateHandler struct {
	dir string
	log *slog.Logger
}

func (h *selfUpdateHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !allowMethod(w, r) {
		return
	}
	segs, ok := selfUpdateSegments(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	// Opened per request so an administrator may replace the directory.
	root, err := os.OpenRoot(h.dir)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer root.Close()
	name, err := resolveFold(root, segs)
	var f *os.File
	if err == nil {
		f, err = root.Open(name)
	}
	if err != nil {
		// Missing, unreadable, or a symbolic link leading out of dir.
		if !errors.Is(err, fs.ErrNotExist) {
			h.log.WarnContext(r.Context(), "self-update file not served", "path", r.URL.Path, "err", err)
		}
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if fi.IsDir() {
		http.Error(w, http.StatusText(http.StatusForbidden), http.StatusForbidden)
		return
	}
	if !fi.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", octetStream)
	hdr.Set("ETag", iisETag(fi.ModTime()))
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

func (h *selfUpdateHandler) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.log.ErrorContext(r.Context(), "serve self-update file", "path", r.URL.Path, "err", err)
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}

// selfUpdateSegments splits "/SelfUpdate/a/b" (any case, repeated slashes
// allowed) into ["a", "b"]; it rejects other prefixes, ".", ".." and hidden
// names, backslashes and NUL.
func selfUpdateSegments(urlPath string) ([]string, bool) {
	if strings.ContainsAny(urlPath, "\\\x00") {
		return nil, false
	}
	var segs []string
	for s := range strings.SplitSeq(urlPath, "/") {
		if s == "" {
			continue
		}
		if s[0] == '.' {
			return nil, false
		}
		segs = append(segs, s)
	}
	if len(segs) == 0 || !strings.EqualFold(segs[0], "SelfUpdate") {
		return nil, false
	}
	return segs[1:], true
}

// resolveFold returns the name inside root of the path segs, matching each
// segment exactly or else case-insensitively, as NTFS does for IIS.
func resolveFold(root *os.Root, segs []string) (string, error) {
	cur := "."
	for _, seg := range segs {
		next := path.Join(cur, seg)
		if _, err := root.Lstat(next); err == nil {
			cur = next
			continue
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		d, err := root.Open(cur)
		if err != nil {
			return "", err
		}
		entries, err := d.ReadDir(-1)
		d.Close()
		if err != nil {
			return "", fs.ErrNotExist // cur is a file: nothing below it
		}
		found := ""
		for _, e := range entries {
			if strings.EqualFold(e.Name(), seg) && e.Name()[0] != '.' {
				found = e.Name()
				break
			}
		}
		if found == "" {
			return "", fs.ErrNotExist
		}
		cur = path.Join(cur, found)
	}
	return cur, nil
}

// iisETag formats t as IIS does for static files, e.g. "809ce85db53add1:0"
// [OBSERVED dl/final-range]: the bytes of the Windows FILETIME (100 ns ticks
// since 1601), least significant first, each in unpadded lower-case hex,
// then ":" and the configuration change number, 0.
func iisETag(t time.Time) string {
	const ticksTo1970 = 116444736000000000
	ft := uint64(t.UnixNano()/100 + ticksTo1970)
	var b strings.Builder
	b.WriteByte('"')
	for range 8 {
		fmt.Fprintf(&b, "%x", byte(ft))
		ft >>= 8
	}
	b.WriteString(`:0"`)
	return b.String()
}
