package content

import (
	"log/slog"
	"net/http"

	"patchbay"
)

// HandlerOptions configures Handler and SelfUpdate.
type HandlerOptions struct {
	// Logger receives the errors answered with 500; nil discards them.
	Logger *slog.Logger
}

func (o HandlerOptions) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

// octetStream is the Content-Type of every file, whatever its extension:
// WSUS sends it for .exe [OBSERVED dl/*], and IIS MIME maps that lack .psf or
// .esd answer 404.3 (protocol-wsusss.md §2.2), so the type is set explicitly
// rather than guessed from the extension (protocol-wusp.md §9.3 item 2).
const octetStream = "application/octet-stream"

// Handler returns the handler of the update content directory, which MUST
// answer HTTP HEAD and GET with byte ranges [MS-WUSP §2.2.2.5, MC-BUP §3.5.5].
// It serves "/Content/XX/SHA1HEX.ext" (see ParsePath: any case, repeated
// slashes allowed) from store by digest, whatever the extension, through
// http.ServeContent: single and multiple ranges (206, even for a range that
// covers the whole file, as WSUS does [OBSERVED dl/whole-file-single-range]),
// If-Range, If-Modified-Since, If-None-Match, 416 with "Content-Range: bytes
// */size". Every answer carries Accept-Ranges: bytes, Content-Type:
// application/octet-stream, Last-Modified (the stored file's time) and a
// strong ETag made of the SHA-1, which stays the same on every front end
// sharing the content. It never compresses (protocol-wusp.md §9.3 item 8).
//
// Other paths answer 404, methods other than GET and HEAD 405, store errors
// 500 (logged, without details to the client).
func Handler(store Store, opts HandlerOptions) http.Handler {
	return &contentHandler{store: store, log: opts.logger()}
}

type contentHandler struct {
	store Store
	log   *slog.Logger
}

func (h *contentHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !allowMethod(w, r) {
		return
	}
	sum, _, ok := ParsePath(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	f, err := h.store.Open(r.Context(), sum)
	switch patchbay.ErrorCode(err) {
	case "":
	case patchbay.ENotFound, patchbay.EInvalid:
		http.NotFound(w, r)
		return
	default:
		if r.Context().Err() == nil {
			h.log.ErrorContext(r.Context(), "open content", "path", r.URL.Path, "err", err)
		}
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	defer f.Close()
	hdr := w.Header()
	hdr.Set("Content-Type", octetStream)
	hdr.Set("ETag", ETag(f.SHA1))
	http.ServeContent(w, r, "", f.ModTime, f)
}

// ETag returns the strong entity tag served for the file with this SHA-1:
// the upper-case hex digest in quotes. Content is immutable per digest, so
// the tag never changes and is the same on every server.
func ETag(sha1 []byte) string { return `"` + hexUpper(sha1) + `"` }

// allowMethod answers 405 with an Allow header unless r is GET or HEAD.
func allowMethod(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
	return false
}
