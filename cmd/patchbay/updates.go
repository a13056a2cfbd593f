package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"patchbay/internal/adminapi"
)

const updatesUsage = `usage: patchbay updates <subcommand> [flags]

subcommands:
  list [--q TEXT] [--classification NAME] [--approved true|false] [--needed] [--limit N] [--json]
                 list updates, newest first
  show UPDATEID [--json]
                 show one update with its files, approvals and status counts

Common flags: --server URL, --token TOKEN, --data DIR.
`

// runUpdates is "patchbay updates …", over the admin API.
func runUpdates(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	sub, args, err := subcommand("updates", args, "list", "show")
	if err != nil {
		fmt.Fprint(stderr, updatesUsage)
		return err
	}
	switch sub {
	case "list":
		v := newVerb("updates list", "updates list [--q TEXT] [--classification NAME] [--approved true|false] [--needed] [--json]",
			getenv, stderr, true)
		fs := v.fs
		var f adminapi.UpdateFilter
		fs.StringVar(&f.Text, "q", "", "`TEXT` in the title, a KB number or an update id")
		fs.StringVar(&f.Classification, "classification", "", "classification `NAME` (e.g. \"Security Updates\") or id")
		approved := fs.String("approved", "any", "`STATE`: true (approved for some group), false, or any")
		fs.BoolVar(&f.Needed, "needed", false, "only updates some computer needs")
		fs.IntVar(&f.Limit, "limit", 0, "show at most `N` updates (0: all)")
		if _, err := parseArgs(fs, args); err != nil {
			return err
		}
		switch strings.ToLower(*approved) {
		case "any", "":
		default:
			b, err := strconv.ParseBool(*approved)
			if err != nil {
				return usageError{fmt.Errorf("--approved %q: want true, false or any", *approved)}
			}
			f.Approved = &b
		}
		if f.Limit < 0 {
			return usageError{fmt.Errorf("--limit %d: want 0 or more", f.Limit)}
		}
		c, err := v.client()
		if err != nil {
			return err
		}
		us, err := c.Updates(ctx, f)
		if err != nil {
			return err
		}
		if v.json {
			return writeJSON(stdout, us)
		}
		tw := newTable(stdout)
		fmt.Fprintln(tw, "UPDATE ID\tKB\tTITLE\tCLASSIFICATION\tAPPROVALS\tNEEDED\tINSTALLED")
		for _, u := range us {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\n", u.UpdateID, orDash(u.KB), cell(u.Title, 70),
				cell(categoryTitles(u.Classifications), 30), cell(approvalList(u.Approvals), 50), u.Status.Needed, u.Status.Installed)
		}
		return tw.Flush()
	case "show":
		v := newVerb("updates show", "updates show UPDATEID [--json]", getenv, stderr, true)
		pos, c, err := v.parse(args, "UPDATEID")
		if err != nil {
			return err
		}
		u, err := c.Update(ctx, pos[0])
		if err != nil {
			return err
		}
		if v.json {
			return writeJSON(stdout, u)
		}
		tw := newTable(stdout)
		row := func(k, v string) { fmt.Fprintf(tw, "%s:\t%s\n", k, cell(v, 0)) }
		row("Title", u.Title)
		row("Update ID", fmt.Sprintf("%s (revision %d)", u.UpdateID, u.RevisionNumber))
		row("Type", u.Type)
		row("KB", u.KB)
		row("Severity", u.MsrcSeverity)
		row("Classification", categoryTitles(u.Classifications))
		row("Products", categoryTitles(u.Products))
		row("Released", when(u.CreationDate))
		row("Approvals", approvalList(u.Approvals))
		s := u.Status
		row("Status", fmt.Sprintf("%d needed, %d installed, %d failed, %d pending reboot, %d not applicable, %d unknown",
			s.Needed, s.Installed, s.Failed, s.PendingReboot, s.NotApplicable, s.Unknown))
		row("More info", u.MoreInfoURL)
		row("Description", u.Description)
		for _, f := range u.Files {
			row("File", fmt.Sprintf("%s (%d bytes, sha1 %s)", f.Name, f.Size, f.SHA1))
		}
		return tw.Flush()
	}
	fmt.Fprint(stdout, updatesUsage)
	return nil
}

func categoryTitles(cs []adminapi.Category) string {
	ts := make([]string, 0, len(cs))
	for _, c := range cs {
		t := c.Title
		if t == "" {
			t = c.ID
		}
		ts = append(ts, t)
	}
	return strings.Join(ts, ", ")
}

func approvalList(as []adminapi.UpdateApproval) string {
	ps := make([]string, 0, len(as))
	for _, a := range as {
		ps = append(ps, a.Group+": "+a.Action)
	}
	return strings.Join(ps, ", ")
}
