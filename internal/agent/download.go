package agent

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"patchbay"
	"patchbay/internal/content"
	"patchbay/internal/content/download"
	"patchbay/internal/wusp"
)

// DownloadResult is the outcome of downloading one update's files.
type DownloadResult struct {
	UpdateID string `json:"updateId"`
	Title    string `json:"title,omitempty"`
	Bytes    int64  `json:"bytes"`
	Err      string `json:"error,omitempty"`
}

// fileJob is one file to fetch.
type fileJob struct {
	file File
	key  string // SHA-1 hex
	url  string
	err  error
	size int64
	held bool // verified and in the cache before this run
}

// Download fetches the files of the needed updates found by the last scan:
// the files of each update's leaves, from the FileLocations the server
// gave, resumable (MS-WSUSOD §2.3.2.5 ranged requests), with at most
// Config.ParallelDownloads at once and Config.BandwidthLimit. Each file is
// verified against its SHA-1 and the SHA-256 AdditionalDigest before it is
// kept (MS-WUSP §7 note 26); a mismatch deletes it (MS-WSUSOD §2.7.1.3).
// It queues 167 then 162 (B=bytes) or 161 per update.
func (a *Agent) Download(ctx context.Context) ([]DownloadResult, error) {
	a.mu.Lock()
	if a.st.LastScan == nil {
		a.mu.Unlock()
		return nil, patchbay.Errorf(patchbay.EInvalid, "no scan yet: run scan first")
	}
	s := a.st.server(a.cfg.ServerURL)
	var plans []*downloadPlan
	jobs := map[string]*fileJob{}
	var missing []wusp.Binary
	for _, u := range a.st.LastScan.Needed() {
		p := &downloadPlan{u: u, rev: s.Revisions[u.RevisionID]}
		if p.rev == nil {
			continue
		}
		for _, id := range u.Leaves {
			leaf := s.Revisions[id]
			if leaf == nil || leaf.Extended == "" {
				p.missing = true // GetExtendedUpdateInfo did not describe it
				continue
			}
			ext, _ := parseExtended([]byte(leaf.Extended))
			for _, f := range ext.Files {
				key := hex.EncodeToString(f.SHA1)
				if j, ok := jobs[key]; ok {
					p.jobs = append(p.jobs, j)
					continue
				}
				j := &fileJob{file: f, key: key, url: s.FileLocations[key]}
				if d, ok := a.st.Downloads[key]; ok && fileSize(d.Path) == d.Size {
					j.size, j.held = d.Size, true
				} else if j.url == "" && len(f.SHA1) == 20 {
					missing = append(missing, f.SHA1)
				}
				jobs[key] = j
				p.jobs = append(p.jobs, j)
			}
		}
		plans = append(plans, p)
	}
	if len(missing) > 0 {
		if err := a.fileLocations(ctx, missing); err != nil {
			a.mu.Unlock()
			return nil, err
		}
		for _, j := range jobs {
			if !j.held && j.url == "" {
				j.url = s.FileLocations[j.key]
			}
		}
	}
	for _, p := range plans {
		if !p.held() {
			a.queue(a.event(EventDownloadStarted, p.rev, 0, []string{title(p.u)}))
		}
	}
	a.save()
	a.mu.Unlock()

	a.fetchAll(ctx, jobs)

	a.mu.Lock()
	defer a.mu.Unlock()
	// A file the server no longer has where it said: its location may have
	// moved; ask again once (MS-WUSP §3.1.5.10) and retry those files.
	var gone []wusp.Binary
	retry := map[string]*fileJob{}
	for k, j := range jobs {
		if !j.held && j.url != "" && patchbay.ErrorCode(j.err) == patchbay.ENotFound {
			gone = append(gone, j.file.SHA1)
			retry[k] = j
		}
	}
	if len(gone) > 0 && a.fileLocations(ctx, gone) == nil {
		for k, j := range retry {
			if u := s.FileLocations[k]; u != "" && u != j.url {
				j.url, j.err = u, nil
			} else {
				delete(retry, k)
			}
		}
		a.mu.Unlock()
		a.fetchAll(ctx, retry)
		a.mu.Lock()
	}
	if a.st.Downloads == nil {
		a.st.Downloads = map[string]DownloadedFile{}
	}
	for _, j := range jobs {
		if j.err == nil && !j.held {
			a.st.Downloads[j.key] = DownloadedFile{Path: a.cachePath(j.key), Size: j.size}
		}
	}
	out := []DownloadResult{}
	for _, p := range plans {
		r := DownloadResult{UpdateID: p.u.UpdateID, Title: p.u.Title}
		held := p.held()
		var ferr error
		if p.missing {
			ferr = patchbay.Errorf(patchbay.ENotFound, "no file metadata for a part of the update")
		}
		for _, j := range p.jobs {
			r.Bytes += j.size
			if ferr == nil {
				ferr = j.err
			}
		}
		switch {
		case held:
			// Nothing fetched this time: nothing to report again.
		case ferr != nil:
			r.Err = ferr.Error()
			hr := hrNoConnection
			if patchbay.ErrorCode(ferr) == patchbay.EInvalid {
				hr = hrFileHash
			}
			a.queue(a.event(EventDownloadFailed, p.rev, hr, []string{title(p.u)}))
		default:
			e := a.event(EventDownloadSucceeded, p.rev, 0, []string{title(p.u)})
			e.Misc = append(e.Misc, "B="+strconv.FormatInt(r.Bytes, 10))
			a.queue(e)
		}
		out = append(out, r)
	}
	return out, a.save()
}

// downloadPlan is one needed update and the files of its leaves.
type downloadPlan struct {
	u       UpdateState
	rev     *Revision
	jobs    []*fileJob
	missing bool // a leaf has no Extended fragment
}

// held reports whether every file was already in the cache.
func (p *downloadPlan) held() bool {
	if p.missing {
		return false
	}
	for _, j := range p.jobs {
		if !j.held {
			return false
		}
	}
	return true
}

// fetchAll downloads the jobs that have a URL, ParallelDownloads at a time.
func (a *Agent) fetchAll(ctx context.Context, jobs map[string]*fileJob) {
	var lim *download.Limiter
	if a.cfg.BandwidthLimit > 0 {
		lim = &download.Limiter{Rate: a.cfg.BandwidthLimit, Sleep: a.cfg.Sleep}
	}
	sem := make(chan struct{}, a.cfg.ParallelDownloads)
	var wg sync.WaitGroup
	for _, j := range jobs {
		if j.held {
			continue
		}
		if j.url == "" {
			j.err = patchbay.Errorf(patchbay.ENotFound, "no location for file %s", j.file.Name)
			continue
		}
		if len(j.file.SHA256) == 0 {
			// Windows 8 and later refuse content whose metadata lacks the
			// SHA-256 digest (MS-WUSP §7 note 26).
			j.err = patchbay.Errorf(patchbay.EInvalid, "file %s has no SHA-256 digest in its metadata", j.file.Name)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				j.err = ctx.Err()
				return
			}
			defer func() { <-sem }()
			j.err = a.fetch(ctx, j, lim)
			if j.err == nil {
				j.size = j.file.Size
			}
		}()
	}
	wg.Wait()
}

// fetch downloads one file into the cache.
func (a *Agent) fetch(ctx context.Context, j *fileJob, lim *download.Limiter) error {
	d := &download.Downloader{Client: a.dl, Limiter: lim, UserAgent: userAgent, Sleep: a.cfg.Sleep}
	if a.cfg.Progress != nil {
		name := j.file.Name
		d.Progress = func(done, total int64) { a.cfg.Progress(name, done, total) }
	}
	p, err := openPartial(a.cachePath(j.key))
	if err != nil {
		return err
	}
	defer p.Close()
	size := j.file.Size
	if size <= 0 {
		size = content.UnknownSize
	}
	return d.Get(ctx, j.url, p, content.Digests{SHA1: j.file.SHA1, SHA256: j.file.SHA256, Size: size})
}

// fileLocations asks for the URLs of files by SHA-1 (MS-WUSP §3.1.5.10)
// within a session. Callers hold a.mu.
func (a *Agent) fileLocations(ctx context.Context, digests []wusp.Binary) error {
	return a.do(ctx, "GetFileLocations", func(s *ServerState) error { return a.getFileLocations(ctx, s, digests) })
}

// getFileLocations calls GetFileLocations in batches of 100, as WSUS
// answered them, recording the URLs and taking the NewCookie.
func (a *Agent) getFileLocations(ctx context.Context, s *ServerState, digests []wusp.Binary) error {
	const batch = 100
	for start := 0; start < len(digests); start += batch {
		part := digests[start:min(start+batch, len(digests))]
		resp, err := a.client.GetFileLocations(ctx, &wusp.GetFileLocations{Cookie: s.Cookie, FileDigests: part})
		if err != nil {
			return err
		}
		r := resp.GetFileLocationsResult
		if r == nil {
			continue
		}
		if s.FileLocations == nil {
			s.FileLocations = map[string]string{}
		}
		for _, fl := range r.FileLocations {
			if len(fl.FileDigest) == 20 && fl.Url != "" {
				s.FileLocations[hex.EncodeToString(fl.FileDigest)] = fl.Url
			}
		}
		if r.NewCookie != nil && len(r.NewCookie.EncryptedData) > 0 {
			s.Cookie = r.NewCookie
		}
	}
	return nil
}

// cachePath is where a verified file is kept.
func (a *Agent) cachePath(key string) string { return filepath.Join(a.cfg.DataDir, "downloads", key) }

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return -1
	}
	return fi.Size()
}

func title(u UpdateState) string {
	if u.Title != "" {
		return u.Title
	}
	return u.UpdateID
}

// partial is the agent's download.PartialWriter: the bytes so far in
// <path>.part, the source's validator in <path>.part.validator, and the
// verified file renamed to path by Commit.
type partial struct {
	path string
	f    *os.File
	off  int64
	val  string
}

func openPartial(path string) (*partial, error) {
	f, err := os.OpenFile(path+".part", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open download: %w", err)
	}
	off, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open download: %w", err)
	}
	v, _ := os.ReadFile(path + ".part.validator")
	return &partial{path: path, f: f, off: off, val: string(v)}, nil
}

func (p *partial) Write(b []byte) (int, error) {
	n, err := p.f.Write(b)
	p.off += int64(n)
	return n, err
}

func (p *partial) Offset() int64     { return p.off }
func (p *partial) Validator() string { return p.val }
func (p *partial) SetValidator(v string) error {
	p.val = v
	return os.WriteFile(p.path+".part.validator", []byte(v), 0o644)
}

func (p *partial) Reset() error {
	if err := p.f.Truncate(0); err != nil {
		return err
	}
	if _, err := p.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	p.off, p.val = 0, ""
	os.Remove(p.path + ".part.validator")
	return nil
}

// Commit verifies the bytes held and renames them to the cache path; on a
// mismatch the partial file is deleted (MS-WSUSOD §2.7.1.3).
func (p *partial) Commit(ctx context.Context, want content.Digests) error {
	if err := p.f.Sync(); err != nil {
		return err
	}
	if _, err := p.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	v := content.NewVerifier(want)
	if _, err := io.Copy(v, p.f); err != nil {
		return err
	}
	if err := v.Check(); err != nil {
		p.Reset()
		p.Close()
		os.Remove(p.path + ".part")
		return err
	}
	if err := p.Close(); err != nil {
		return err
	}
	os.Remove(p.path + ".part.validator")
	return os.Rename(p.path+".part", p.path)
}

// Close closes the file, keeping the bytes for a later resume.
func (p *partial) Close() error {
	if p.f == nil {
		return nil
	}
	err := p.f.Close()
	p.f = nil
	if errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}

var _ download.PartialWriter = (*partial)(nil)
