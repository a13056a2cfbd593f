package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"patchbay/internal/content/disk"
	"patchbay/internal/importer"
	"patchbay/internal/store/sqlite"
)

// runImport is "patchbay import [--data DIR] PATH": load update XML (and the
// content files it references) into the data directory, then print a summary.
// It exits non-zero when the import could not run or rejected a file.
func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("patchbay import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := "./data"
	if v := getenv("PATCHBAY_DATA"); v != "" {
		dataDir = v
	}
	fs.StringVar(&dataDir, "data", dataDir, "data `DIR` holding the database and content (env PATCHBAY_DATA)")
	quiet := fs.Bool("quiet", false, "print no progress line")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: patchbay import [--data DIR] PATH\n\nPATH is a folder of update XML files (and content files), or one file.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageError{errors.New("want exactly one PATH")}
	}
	path := fs.Arg(0)
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	if err := prepareDataDir(dataDir); err != nil {
		return err
	}
	db, err := sqlite.Open(ctx, filepath.Join(dataDir, "patchbay.db"))
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	files, err := disk.Open(filepath.Join(dataDir, "content"))
	if err != nil {
		return fmt.Errorf("open content store: %w", err)
	}

	im := &importer.Importer{Revisions: db, Files: db, Content: importer.RecordedSink{Files: files, Index: db}}
	if !*quiet && isTerminal(stdout) {
		p := &progressLine{w: stdout}
		im.Progress = p.update
	}
	start := time.Now()
	sum, err := im.Import(ctx, path)
	if im.Progress != nil {
		fmt.Fprint(stdout, "\r\033[K")
	}
	printSummary(stdout, sum, time.Since(start))
	if err != nil {
		return err
	}
	if sum.Rejected > 0 {
		return fmt.Errorf("%d file(s) rejected", sum.Rejected)
	}
	return nil
}

func printSummary(w io.Writer, s importer.Summary, took time.Duration) {
	total := s.Added + s.Updated + s.Unchanged
	rate := ""
	if secs := took.Seconds(); secs > 0 && total > 0 {
		rate = fmt.Sprintf(" (%.0f revisions/s)", float64(total)/secs)
	}
	fmt.Fprintf(w, "imported %d revisions in %s%s: %d added, %d updated, %d unchanged, %d rejected\n",
		total, took.Round(time.Millisecond), rate, s.Added, s.Updated, s.Unchanged, s.Rejected)
	if s.ContentFiles > 0 || s.Ignored > 0 {
		fmt.Fprintf(w, "content: %d files, %d bytes stored; %d other files ignored\n", s.ContentFiles, s.Bytes, s.Ignored)
	}
	for _, r := range s.Rejections {
		fmt.Fprintf(w, "rejected %s: %s\n", r.Path, r.Reason)
	}
}

// progressLine redraws one status line on a terminal, at most ten times a second.
type progressLine struct {
	w    io.Writer
	last time.Time
}

func (p *progressLine) update(pr importer.Progress) {
	if time.Since(p.last) < 100*time.Millisecond && pr.Done != pr.Total {
		return
	}
	p.last = time.Now()
	s := pr.Summary
	fmt.Fprintf(p.w, "\r\033[K%s %d/%d  added %d  unchanged %d  rejected %d", pr.Phase, pr.Done, pr.Total, s.Added, s.Unchanged, s.Rejected)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
