package applicability

// Result is a three-valued truth value. Rules are two-valued on a real
// Windows client; Unknown stands for a rule this evaluator does not
// implement or a machine fact the Machine does not describe, and propagates
// through And, Or and Not by Kleene's strong logic.
type Result int

// The three truth values.
const (
	False Result = iota
	True
	Unknown
)

// String returns "False", "True" or "Unknown".
func (r Result) String() string {
	switch r {
	case False:
		return "False"
	case True:
		return "True"
	}
	return "Unknown"
}

// boolResult converts a Go bool.
func boolResult(b bool) Result {
	if b {
		return True
	}
	return False
}

// Not is Kleene negation: Unknown stays Unknown.
func Not(r Result) Result {
	switch r {
	case True:
		return False
	case False:
		return True
	}
	return Unknown
}

// And is Kleene conjunction: False if any operand is False, else Unknown if
// any is Unknown, else True. And() of nothing is True.
func And(rs ...Result) Result {
	out := True
	for _, r := range rs {
		switch r {
		case False:
			return False
		case Unknown:
			out = Unknown
		}
	}
	return out
}

// Or is Kleene disjunction: True if any operand is True, else Unknown if
// any is Unknown, else False. Or() of nothing is False.
func Or(rs ...Result) Result {
	out := False
	for _, r := range rs {
		switch r {
		case True:
			return True
		case Unknown:
			out = Unknown
		}
	}
	return out
}

// BundleInstalled is the installed state of a bundle from the verdicts of
// its leaves: a bundle is installed when all its bundled updates are
// (MS-WUSP §3.1.1 Bundle Table; the bundle itself carries no IsInstalled
// rule of its own in real metadata, docs/a2fef9b0…). No leaves gives False:
// an empty bundle installs nothing.
func BundleInstalled(leaves []Verdict) Result {
	if len(leaves) == 0 {
		return False
	}
	out := True
	for _, v := range leaves {
		out = And(out, v.Installed)
	}
	return out
}

// evalLogic evaluates the LogicalApplicabilityRules (lar: True, False, And,
// Or, Not; WSUS LogicalApplicabilityRules schema). All children are
// evaluated even after the result is settled, so that Verdict.Unknown names
// every undecidable rule of the expression. ok is false for other names.
func (e *evaluator) evalLogic(n *Node) (r Result, ok bool) {
	switch n.Name {
	case "True":
		return True, true
	case "False":
		return False, true
	case "And", "Or":
		rs := make([]Result, 0, len(n.Children))
		for _, c := range n.Children {
			rs = append(rs, e.eval(c))
		}
		if len(rs) == 0 {
			// The schema requires at least one child; an empty
			// operator is malformed metadata.
			return e.unknown(n), true
		}
		if n.Name == "And" {
			return And(rs...), true
		}
		return Or(rs...), true
	case "Not":
		if len(n.Children) != 1 {
			for _, c := range n.Children {
				e.eval(c)
			}
			return e.unknown(n), true
		}
		return Not(e.eval(n.Children[0])), true
	}
	return Unknown, false
}
