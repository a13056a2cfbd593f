package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"patchbay/internal/adminapi"
)

const computersUsage = `usage: patchbay computers <subcommand> [flags]

subcommands:
  list [--json]                      list computers with their groups, OS and last contact
  move ID-or-NAME --group NAME ...   assign a computer to exactly the named groups
                                     (--group "Unassigned Computers" removes its assignment)

Common flags: --server URL, --token TOKEN, --data DIR.
`

// runComputers is "patchbay computers …", over the admin API.
func runComputers(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	sub, args, err := subcommand("computers", args, "list", "move")
	if err != nil {
		fmt.Fprint(stderr, computersUsage)
		return err
	}
	switch sub {
	case "list":
		v := newVerb("computers list", "computers list [--json]", getenv, stderr, true)
		_, c, err := v.parse(args)
		if err != nil {
			return err
		}
		cs, err := c.Computers(ctx)
		if err != nil {
			return err
		}
		if v.json {
			return writeJSON(stdout, cs)
		}
		tw := newTable(stdout)
		fmt.Fprintln(tw, "NAME\tID\tGROUPS\tOS\tLAST CONTACT\tLAST REPORT")
		for _, c := range cs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", cell(c.Name, 0), c.ID, cell(groupNames(c.Groups), 0),
				cell(c.OS, 40), when(c.LastContact), when(c.LastReport))
		}
		return tw.Flush()
	case "move":
		v := newVerb("computers move", "computers move ID-or-NAME --group NAME [--group NAME]", getenv, stderr, true)
		var groups stringList
		v.fs.Var(&groups, "group", "target group `NAME` or id; repeat for several groups")
		v.require("group")
		pos, c, err := v.parse(args, "computer ID or NAME")
		if err != nil {
			return err
		}
		comp, err := c.SetComputerGroups(ctx, pos[0], groups)
		if err != nil {
			return err
		}
		if v.json {
			return writeJSON(stdout, comp)
		}
		fmt.Fprintf(stdout, "computer %s (%s) is now in %s\n", orDash(comp.Name), comp.ID, groupNames(comp.Groups))
		return nil
	}
	fmt.Fprint(stdout, computersUsage)
	return nil
}

func groupNames(gs []adminapi.GroupRef) string {
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = g.Name
	}
	return strings.Join(names, ", ")
}
