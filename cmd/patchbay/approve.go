package main

import (
	"context"
	"fmt"
	"io"

	"patchbay/internal/adminapi"
)

// runApprove is "patchbay approve UPDATEID --group NAME [--action A]
// [--deadline RFC3339]", over the admin API.
func runApprove(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	v := newVerb("approve", "approve UPDATEID --group NAME [--action install|uninstall|block|not-approved] [--deadline RFC3339]",
		getenv, stderr, true)
	group := v.fs.String("group", "", "target group `NAME` or id (required)")
	action := v.fs.String("action", adminapi.ActionInstall, "`ACTION`: install, uninstall, block, or not-approved to remove the approval")
	deadline := v.fs.String("deadline", "", "deadline as an RFC 3339 `TIME`, e.g. 2026-12-01T18:00:00Z; a past time means install now")
	v.require("group")
	pos, c, err := v.parse(args, "UPDATEID")
	if err != nil {
		return err
	}
	a, err := c.Approve(ctx, adminapi.ApproveRequest{UpdateID: pos[0], Group: *group, Action: *action, Deadline: *deadline})
	if err != nil {
		return err
	}
	if v.json {
		return writeJSON(stdout, a)
	}
	if a.Action == adminapi.ActionNotApproved {
		fmt.Fprintf(stdout, "%s is not approved for %s\n", a.UpdateID, a.Group)
		return nil
	}
	fmt.Fprintf(stdout, "approved %s (revision %d) for %s in %s", a.UpdateID, a.RevisionNumber, a.Action, a.Group)
	switch {
	case a.DeadlinePassed:
		fmt.Fprintf(stdout, "; the deadline %s has passed, so clients act at once", a.Deadline.Format("2006-01-02 15:04 MST"))
	case !a.Deadline.IsZero():
		fmt.Fprintf(stdout, " with deadline %s", a.Deadline.Format("2006-01-02 15:04 MST"))
	}
	fmt.Fprintln(stdout)
	return nil
}

// runUnapprove is "patchbay unapprove UPDATEID --group NAME", over the admin API.
func runUnapprove(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	v := newVerb("unapprove", "unapprove UPDATEID --group NAME", getenv, stderr, false)
	group := v.fs.String("group", "", "target group `NAME` or id (required)")
	v.require("group")
	pos, c, err := v.parse(args, "UPDATEID")
	if err != nil {
		return err
	}
	if err := c.Unapprove(ctx, pos[0], *group); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "removed the approval of %s for %s\n", pos[0], *group)
	return nil
}
