package applicability

import "testing"

var all3 = []Result{False, True, Unknown}

// TestKleeneTables checks And, Or and Not against Kleene's strong
// three-valued truth tables.
func TestKleeneTables(t *testing.T) {
	F, T, U := False, True, Unknown
	and := map[[2]Result]Result{
		{F, F}: F, {F, T}: F, {F, U}: F,
		{T, F}: F, {T, T}: T, {T, U}: U,
		{U, F}: F, {U, T}: U, {U, U}: U,
	}
	or := map[[2]Result]Result{
		{F, F}: F, {F, T}: T, {F, U}: U,
		{T, F}: T, {T, T}: T, {T, U}: T,
		{U, F}: U, {U, T}: T, {U, U}: U,
	}
	for _, a := range all3 {
		for _, b := range all3 {
			if got := And(a, b); got != and[[2]Result{a, b}] {
				t.Errorf("And(%v, %v) = %v, want %v", a, b, got, and[[2]Result{a, b}])
			}
			if got := Or(a, b); got != or[[2]Result{a, b}] {
				t.Errorf("Or(%v, %v) = %v, want %v", a, b, got, or[[2]Result{a, b}])
			}
			// De Morgan holds in Kleene logic.
			if And(a, b) != Not(Or(Not(a), Not(b))) {
				t.Errorf("De Morgan fails for %v, %v", a, b)
			}
		}
	}
	for in, want := range map[Result]Result{F: T, T: F, U: U} {
		if got := Not(in); got != want {
			t.Errorf("Not(%v) = %v, want %v", in, got, want)
		}
	}
	if And() != True || Or() != False {
		t.Errorf("And() = %v, Or() = %v; want True, False", And(), Or())
	}
}

// TestLogicalRules evaluates lar: expressions through Rules.Evaluate,
// including Unknown propagation from an unimplemented rule.
func TestLogicalRules(t *testing.T) {
	const u = `<b.GenericQuery Namespace="x" Type="y" Parameter="z" />`
	for _, tc := range []struct {
		name, expr  string
		want        Result
		wantUnknown []string
	}{
		{"true", `<True />`, True, nil},
		{"false", `<False />`, False, nil},
		{"and", `<And><True /><True /><False /></And>`, False, nil},
		{"or", `<Or><False /><True /></Or>`, True, nil},
		{"not", `<Not><False /></Not>`, True, nil},
		{"unknown", u, Unknown, []string{"b.GenericQuery"}},
		{"and false absorbs unknown", `<And>` + u + `<False /></And>`, False, []string{"b.GenericQuery"}},
		{"and true keeps unknown", `<And>` + u + `<True /></And>`, Unknown, []string{"b.GenericQuery"}},
		{"or true absorbs unknown", `<Or>` + u + `<True /></Or>`, True, []string{"b.GenericQuery"}},
		{"not unknown", `<Not>` + u + `</Not>`, Unknown, []string{"b.GenericQuery"}},
		{"empty and", `<And />`, Unknown, []string{"And"}},
		{"not with two children", `<Not><True /><True /></Not>`, Unknown, []string{"Not"}},
		{"unknown element", `<Frobnicate />`, Unknown, []string{"Frobnicate"}},
		{"deduplicated", `<And>` + u + u + `<Zap />` + u + `</And>`, Unknown, []string{"b.GenericQuery", "Zap"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseCore([]byte(`<ApplicabilityRules><IsInstalled>` + tc.expr + `</IsInstalled></ApplicabilityRules>`))
			if err != nil {
				t.Fatalf("ParseCore: %v", err)
			}
			v := r.Evaluate(&Profile{})
			if v.Installed != tc.want {
				t.Errorf("Installed = %v, want %v", v.Installed, tc.want)
			}
			if len(v.Unknown) != len(tc.wantUnknown) {
				t.Fatalf("Unknown = %v, want %v", v.Unknown, tc.wantUnknown)
			}
			for i := range v.Unknown {
				if v.Unknown[i] != tc.wantUnknown[i] {
					t.Errorf("Unknown = %v, want %v", v.Unknown, tc.wantUnknown)
				}
			}
		})
	}
}

func TestBundleInstalled(t *testing.T) {
	v := func(r Result) Verdict { return Verdict{Installed: r} }
	for _, tc := range []struct {
		name   string
		leaves []Verdict
		want   Result
	}{
		{"none", nil, False},
		{"all installed", []Verdict{v(True), v(True)}, True},
		{"one missing", []Verdict{v(True), v(False)}, False},
		{"one unknown", []Verdict{v(True), v(Unknown)}, Unknown},
		{"missing beats unknown", []Verdict{v(Unknown), v(False)}, False},
	} {
		if got := BundleInstalled(tc.leaves); got != tc.want {
			t.Errorf("BundleInstalled(%s) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestVerdictDefaults(t *testing.T) {
	r, err := ParseCore([]byte(`<UpdateIdentity UpdateID="D3C6B3A0-0000-4000-8000-000000000001" RevisionNumber="3" /><Properties UpdateType="Detectoid" /><ApplicabilityRules><IsInstalled><True /></IsInstalled></ApplicabilityRules>`))
	if err != nil {
		t.Fatal(err)
	}
	if r.UpdateID != "d3c6b3a0-0000-4000-8000-000000000001" || r.RevisionNumber != 3 || r.Type != "Detectoid" {
		t.Errorf("identity = %q r%d %q", r.UpdateID, r.RevisionNumber, r.Type)
	}
	v := r.Evaluate(&Profile{})
	want := Verdict{Installed: True, Installable: True, Superseded: False}
	if v.Installed != want.Installed || v.Installable != want.Installable || v.Superseded != want.Superseded {
		t.Errorf("Evaluate = %+v, want %+v", v, want)
	}
	if v.Needed() != False {
		t.Errorf("Needed = %v, want False for an installed update", v.Needed())
	}
	empty, _ := ParseCore([]byte(`<Properties UpdateType="Software" />`))
	if v := empty.Evaluate(&Profile{}); v.Installed != False || v.Installable != True || v.Needed() != True {
		t.Errorf("no rules: %+v", v)
	}
}
