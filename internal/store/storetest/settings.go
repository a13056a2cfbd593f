package storetest

import (
	"testing"
	"time"

	"patchbay"
	"patchbay/internal/store"
)

func testSettings(t *testing.T, b Backend) {
	ctx := t.Context()
	_, err := b.Setting(ctx, "console.title")
	wantCode(t, "Setting(unset)", err, patchbay.ENotFound)
	for _, v := range []string{"Patchbay", "Patchbay (lab)"} {
		if err := b.SetSetting(ctx, "console.title", v); err != nil {
			t.Fatalf("SetSetting(%q) = %v", v, err)
		}
		if got, err := b.Setting(ctx, "console.title"); err != nil || got != v {
			t.Errorf("Setting() = %q, %v; want %q", got, err, v)
		}
	}
	for _, tc := range []struct{ key, value string }{
		{"", "x"},
		{store.SettingTargetingMode, "both"},
		{store.SettingConfigLastChange, "yesterday"},
		{store.SettingServerID, "not-a-guid"},
	} {
		wantCode(t, "SetSetting("+tc.key+", "+tc.value+")", b.SetSetting(ctx, tc.key, tc.value), patchbay.EInvalid)
	}
	id, err := b.ServerID(ctx)
	if err != nil || len(id) != 36 {
		t.Fatalf("ServerID() = %q, %v; want a GUID", id, err)
	}
	if again, err := b.ServerID(ctx); err != nil || again != id {
		t.Errorf("ServerID() again = %q, %v; want %q", again, err, id)
	}
	if got, err := b.Setting(ctx, store.SettingServerID); err != nil || got != id {
		t.Errorf("Setting(server id) = %q, %v; want %q", got, err, id)
	}
	if err := b.SetTargetingMode(ctx, store.TargetingClient); err != nil {
		t.Fatal(err)
	}
	if mode, err := b.TargetingMode(ctx); err != nil || mode != store.TargetingClient {
		t.Errorf("TargetingMode() = %q, %v; want client", mode, err)
	}
}

func testConfigLastChange(t *testing.T, b Backend) {
	ctx := t.Context()
	before := time.Now().Add(-time.Second)
	lc, err := b.ConfigLastChange(ctx)
	if err != nil {
		t.Fatalf("ConfigLastChange() = %v", err)
	}
	if lc.Before(before) || lc.After(time.Now().Add(time.Second)) || lc.Nanosecond()%int(time.Millisecond) != 0 {
		t.Errorf("ConfigLastChange() = %v; want about now, in whole milliseconds", lc)
	}
	if again, err := b.ConfigLastChange(ctx); err != nil || !again.Equal(lc) {
		t.Errorf("ConfigLastChange() again = %v, %v; want %v (set once)", again, err, lc)
	}
	prev := lc
	for range 3 { // faster than the clock's millisecond: still strictly later
		next, err := b.BumpConfigLastChange(ctx)
		if err != nil {
			t.Fatalf("BumpConfigLastChange() = %v", err)
		}
		if !next.After(prev) || next.Nanosecond()%int(time.Millisecond) != 0 {
			t.Errorf("BumpConfigLastChange() = %v after %v; want later, whole milliseconds", next, prev)
		}
		if got, err := b.ConfigLastChange(ctx); err != nil || !got.Equal(next) {
			t.Errorf("ConfigLastChange() after bump = %v, %v; want %v", got, err, next)
		}
		prev = next
	}
}
