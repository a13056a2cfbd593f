package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"patchbay/internal/adminapi"
)

const groupsUsage = `usage: patchbay groups <subcommand> [flags]

subcommands:
  list                       show the target group tree with computer counts
  create NAME [--parent P]   create a group (under All Computers unless --parent names one)
  delete NAME                delete a group (its computers fall back to Unassigned Computers)

Common flags: --server URL, --token TOKEN, --data DIR; list takes --json.
`

// runGroups is "patchbay groups …", over the admin API.
func runGroups(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	sub, args, err := subcommand("groups", args, "list", "create", "delete")
	if err != nil {
		fmt.Fprint(stderr, groupsUsage)
		return err
	}
	switch sub {
	case "list":
		v := newVerb("groups list", "groups list [--json]", getenv, stderr, true)
		_, c, err := v.parse(args)
		if err != nil {
			return err
		}
		gs, err := c.Groups(ctx)
		if err != nil {
			return err
		}
		if v.json {
			return writeJSON(stdout, gs)
		}
		tw := newTable(stdout)
		fmt.Fprintln(tw, "NAME\tCOMPUTERS\tID")
		var walk func(gs []adminapi.Group, depth int)
		walk = func(gs []adminapi.Group, depth int) {
			for _, g := range gs {
				fmt.Fprintf(tw, "%s%s\t%d\t%s\n", strings.Repeat("  ", depth), cell(g.Name, 0), g.Computers, g.ID)
				walk(g.Children, depth+1)
			}
		}
		walk(gs, 0)
		return tw.Flush()
	case "create":
		v := newVerb("groups create", "groups create NAME [--parent NAME]", getenv, stderr, true)
		parent := v.fs.String("parent", "", "parent group `NAME` or id (default All Computers)")
		pos, c, err := v.parse(args, "group NAME")
		if err != nil {
			return err
		}
		g, err := c.CreateGroup(ctx, pos[0], *parent)
		if err != nil {
			return err
		}
		if v.json {
			return writeJSON(stdout, g)
		}
		under := "All Computers"
		if *parent != "" {
			under = *parent
		}
		fmt.Fprintf(stdout, "created target group %q (%s) under %s\n", g.Name, g.ID, under)
		return nil
	case "delete":
		v := newVerb("groups delete", "groups delete NAME", getenv, stderr, false)
		pos, c, err := v.parse(args, "group NAME")
		if err != nil {
			return err
		}
		if err := c.DeleteGroup(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "deleted target group %q\n", pos[0])
		return nil
	}
	fmt.Fprint(stdout, groupsUsage)
	return nil
}
