package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"patchbay"
	"patchbay/internal/store"
)

func testContent(t *testing.T, b Backend) {
	ctx := t.Context()
	sha1 := []byte("0123456789abcdefghij")
	sha256 := []byte("0123456789abcdefghij0123456789ab")
	c := store.Content{SHA1: sha1, SHA256: sha256, Size: 1234, Path: "6A/30313233.cab"}
	if err := b.PutContent(ctx, c); err != nil {
		t.Fatalf("PutContent = %v", err)
	}
	got, err := b.ContentBySHA1(ctx, sha1)
	if err != nil {
		t.Fatalf("ContentBySHA1 = %v", err)
	}
	if got.UpdatedAt.IsZero() {
		t.Errorf("ContentBySHA1().UpdatedAt is zero")
	}
	got.UpdatedAt = time.Time{}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("ContentBySHA1 mismatch (-want +got):\n%s", diff)
	}
	// Marking it present without repeating the SHA-256 keeps the digest.
	c2 := store.Content{SHA1: sha1, Size: 1234, Path: c.Path, Present: true}
	if err := b.PutContent(ctx, c2); err != nil {
		t.Fatalf("PutContent(present) = %v", err)
	}
	got, err = b.ContentBySHA1(ctx, sha1)
	if err != nil || !got.Present || string(got.SHA256) != string(sha256) {
		t.Errorf("ContentBySHA1 after update = %+v, %v; want present with SHA-256 kept", got, err)
	}
	wantCode(t, "PutContent(short sha1)", b.PutContent(ctx, store.Content{SHA1: []byte("x"), Size: 1}), patchbay.EInvalid)
	wantCode(t, "PutContent(short sha256)", b.PutContent(ctx, store.Content{SHA1: sha1, SHA256: []byte("x")}), patchbay.EInvalid)
}
