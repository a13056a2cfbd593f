package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"patchbay/internal/refcatalog"
)

// runCatalog is "patchbay catalog generate": write a generated reference
// catalog (update XML, content files, approvals.json) in exactly the format
// "patchbay import" reads, for tests, benchmarks and trying Patchbay out.
func runCatalog(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "generate" {
		fmt.Fprintln(stderr, "usage: patchbay catalog generate --out DIR [--revisions N] [--approved N] [--seed N] [--content]")
		return usageError{errors.New("want a subcommand: generate")}
	}
	fs := flag.NewFlagSet("patchbay catalog generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "output `DIR` (created if missing)")
	revisions := fs.Int("revisions", 20000, "number of revisions (metadata documents)")
	approved := fs.Int("approved", 0, "approvals to list in approvals.json (0: 15% of revisions)")
	seed := fs.Int64("seed", 1, "seed: the same seed gives the same catalog")
	withContent := fs.Bool("content", true, "also write content files whose digests match the metadata")
	contentBytes := fs.Int("content-bytes", 4096, "mean size of a content file in bytes")
	if err := fs.Parse(args[1:]); err != nil {
		return flagError(err)
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return usageError{errors.New("--out DIR is required, and nothing else")}
	}
	if *revisions < refcatalog.MinRevisions {
		return usageError{fmt.Errorf("--revisions must be at least %d", refcatalog.MinRevisions)}
	}
	start := time.Now()
	sum, err := refcatalog.Generate(*out, refcatalog.Options{
		Revisions:    *revisions,
		Approved:     *approved,
		Seed:         *seed,
		WithContent:  *withContent,
		ContentBytes: *contentBytes,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "generated %d revisions of %d updates in %s under %s\n", sum.Revisions, sum.Updates, time.Since(start).Round(time.Millisecond), *out)
	fmt.Fprintf(stdout, "  categories: %d companies, %d product families, %d products, %d classifications; %d detectoids\n",
		sum.Companies, sum.ProductFamilies, sum.Products, sum.Classifications, sum.Detectoids)
	fmt.Fprintf(stdout, "  updates: %d bundles, %d bundled leaves, %d standalone, %d drivers; %d superseding, %d with several revisions\n",
		sum.Bundles, sum.Leaves, sum.Standalone, sum.Drivers, sum.Superseding, sum.MultiRevisionUpdates)
	fmt.Fprintf(stdout, "  %d metadata bytes, %d content files (%d bytes), %d approvals in approvals.json\n",
		sum.MetadataBytes, sum.Files, sum.ContentBytes, sum.Approvals)
	return nil
}
