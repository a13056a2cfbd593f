// Package router is the route table of Patchbay's single HTTP listener. It
// matches paths the way IIS does for WSUS: case-insensitively, with repeated
// slashes collapsed, so that Windows clients and WSUS peers that send
// "/ClientWebService//client.asmx" or "/content/…" reach the right handler.
package router

import (
	"net/http"
	"strings"
)

// Router dispatches on normalized paths: exact routes first, then the longest
// matching prefix route. The zero value is an empty router that answers 404.
type Router struct {
	exact    map[string]http.Handler
	prefixes []prefixRoute
}

type prefixRoute struct {
	prefix string
	h      http.Handler
}

// Handle registers h for exactly path (compared case-insensitively).
func (rt *Router) Handle(path string, h http.Handler) {
	if rt.exact == nil {
		rt.exact = map[string]http.Handler{}
	}
	rt.exact[Normalize(path)] = h
}

// HandlePrefix registers h for every path under prefix, which must end in "/".
// The handler sees the request with its path normalized (collapsed slashes)
// but with its original case, since content names may matter to it.
func (rt *Router) HandlePrefix(prefix string, h http.Handler) {
	p := Normalize(prefix)
	rt.prefixes = append(rt.prefixes, prefixRoute{p, h})
	// Longest prefix first.
	for i := len(rt.prefixes) - 1; i > 0 && len(rt.prefixes[i].prefix) > len(rt.prefixes[i-1].prefix); i-- {
		rt.prefixes[i], rt.prefixes[i-1] = rt.prefixes[i-1], rt.prefixes[i]
	}
}

// ServeHTTP implements http.Handler.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	clean := collapse(r.URL.Path)
	if clean != r.URL.Path {
		r2 := *r
		u := *r.URL
		u.Path, u.RawPath = clean, ""
		r2.URL = &u
		r = &r2
	}
	key := strings.ToLower(clean)
	if h, ok := rt.exact[key]; ok {
		h.ServeHTTP(w, r)
		return
	}
	for _, p := range rt.prefixes {
		if strings.HasPrefix(key, p.prefix) || key+"/" == p.prefix {
			p.h.ServeHTTP(w, r)
			return
		}
	}
	http.NotFound(w, r)
}

// Normalize returns path collapsed and lower-cased: the key routes are stored under.
func Normalize(path string) string { return strings.ToLower(collapse(path)) }

// collapse replaces runs of '/' with one and ensures a leading '/'.
func collapse(path string) string {
	if !strings.Contains(path, "//") && strings.HasPrefix(path, "/") {
		return path
	}
	var b strings.Builder
	b.Grow(len(path) + 1)
	if !strings.HasPrefix(path, "/") {
		b.WriteByte('/')
	}
	prevSlash := false
	for i := 0; i < len(path); i++ {
		c := path[i]
		if c == '/' && prevSlash {
			continue
		}
		prevSlash = c == '/'
		b.WriteByte(c)
	}
	return b.String()
}
