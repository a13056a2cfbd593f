package agent

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"patchbay/internal/wusp"
)

// stateVersion is the format version of the state file.
const stateVersion = 1

// State is the agent's persistent client state: what Windows keeps in the
// registry and DataStore.edb. It is written as one JSON file, atomically
// (temp file, fsync, rename), inside an envelope with a SHA-256 checksum,
// so that a torn or edited file is recognised as corrupted (MS-WSUSOD
// §2.7.1.2) and reset rather than trusted.
type State struct {
	Version int `json:"version"`
	// ClientID is the lower-case GUID generated once (MS-WSUSOD §2.8.3),
	// sent as clientId and as every event's TargetID/Sid.
	ClientID string `json:"clientId"`
	// J is the random 0–999 of MiscData J, chosen once per computer
	// (protocol-wusp.md §8.3).
	J int `json:"j"`
	// Server is the state of the current update server (keyed by URL).
	Servers map[string]*ServerState `json:"servers,omitempty"`
	// Downloads are the verified files in the download cache, by SHA-1 hex.
	Downloads map[string]DownloadedFile `json:"downloads,omitempty"`
	// Pending are the events not yet acknowledged by ReportEventBatch.
	Pending []Event `json:"pending,omitempty"`
	// Failures counts failed installs per update id (MiscData C).
	Failures map[string]int `json:"failures,omitempty"`
	// LastScan is the result of the last successful scan.
	LastScan *ScanResult `json:"lastScan,omitempty"`
	// LastScanError is the error of the last scan when it failed.
	LastScanError string `json:"lastScanError,omitempty"`
	// LastContact is the time of the last answer from the server.
	LastContact time.Time `json:"lastContact,omitzero"`
	// RebootRequired is set by an install that needs a restart.
	RebootRequired bool `json:"rebootRequired,omitempty"`
}

// ServerState is what the agent keeps per update server URL: revision ids
// are server-local (protocol-wusp.md §12.14).
type ServerState struct {
	URL string `json:"url"`
	// Config is the cached GetConfig answer (MS-WUSP §3.2.5: cached until
	// ConfigChanged, InvalidCookie or ServerChanged).
	Config *wusp.Config `json:"config,omitempty"`
	// AuthCookie and Cookie are the cached cookies (renewed on
	// CookieExpired or when the clear-text Expiration has passed).
	AuthCookie *wusp.AuthorizationCookie `json:"authCookie,omitempty"`
	Cookie     *wusp.Cookie              `json:"cookie,omitempty"`
	// Groups are the target groups the cookies were issued for.
	Groups string `json:"groups,omitempty"`
	// Registered is the fingerprint of the computerInfo last registered.
	Registered string `json:"registered,omitempty"`
	// NeedsRefresh asks for RefreshCache before the next SyncUpdates
	// (after InvalidCookie, ServerChanged or a server change).
	NeedsRefresh bool `json:"needsRefresh,omitempty"`
	// NeedsLocations asks for GetFileLocations of every cached file
	// (after FileLocationChanged).
	NeedsLocations bool `json:"needsLocations,omitempty"`
	// Revisions is the revision cache by revision id.
	Revisions map[int32]*Revision `json:"revisions,omitempty"`
	// FileLocations maps a file's SHA-1 hex to its URL.
	FileLocations map[string]string `json:"fileLocations,omitempty"`
}

// Revision is one cached revision: the UpdateInfo of SyncUpdates (MS-WUSP
// §2.2.2.2.4) and, once fetched, its Extended and LocalizedProperties
// fragments (§2.2.2.2.6).
type Revision struct {
	ID             int32            `json:"id"`
	UpdateID       string           `json:"updateId"`
	RevisionNumber int32            `json:"revisionNumber"`
	Type           string           `json:"type"`
	IsLeaf         bool             `json:"isLeaf"`
	Deployment     *wusp.Deployment `json:"deployment,omitempty"`
	Core           string           `json:"core"`
	Bundled        []string         `json:"bundled,omitempty"`
	Supersedes     []string         `json:"supersedes,omitempty"`
	Extended       string           `json:"extended,omitempty"`
	Title          string           `json:"title,omitempty"`
}

// DownloadedFile is a verified file of the download cache.
type DownloadedFile struct {
	Path string `json:"path"`
	Size int64  `json:"size"`
}

// stateFile is the envelope on disk.
type stateFile struct {
	Checksum string          `json:"checksum"`
	State    json.RawMessage `json:"state"`
}

// newState returns an empty state with a fresh client id.
func newState() *State {
	var j [2]byte
	rand.Read(j[:])
	return &State{Version: stateVersion, ClientID: newGUID(), J: (int(j[0])<<8 | int(j[1])) % 1000}
}

// loadState reads the state file at path. A missing file gives an empty
// state. A corrupted file (bad JSON, wrong checksum, unknown version) is
// renamed aside to path.corrupt-<time> and replaced by an empty state
// keeping the client id when it could be read; corrupted reports that.
func loadState(path string, now time.Time) (st *State, corrupted bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return newState(), false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read state: %w", err)
	}
	st, perr := decodeState(b)
	if perr == nil {
		return st, false, nil
	}
	aside := path + ".corrupt-" + now.UTC().Format("20060102T150405Z")
	if err := os.Rename(path, aside); err != nil {
		return nil, false, fmt.Errorf("move corrupted state aside: %w", err)
	}
	fresh := newState()
	// Keep the identity when it is legible: the server knows this computer
	// by it (MS-WSUSOD §2.8.3 regenerates it only on reinitialisation).
	var env stateFile
	var partial struct {
		ClientID string `json:"clientId"`
	}
	if json.Unmarshal(b, &env) == nil && json.Unmarshal(env.State, &partial) == nil && validGUID(partial.ClientID) {
		fresh.ClientID = partial.ClientID
	}
	return fresh, true, nil
}

func decodeState(b []byte) (*State, error) {
	var env stateFile
	if err := json.Unmarshal(b, &env); err != nil {
		return nil, fmt.Errorf("state file: %w", err)
	}
	sum := sha256.Sum256(env.State)
	if env.Checksum != hex.EncodeToString(sum[:]) {
		return nil, errors.New("state file: checksum mismatch")
	}
	st := new(State)
	if err := json.Unmarshal(env.State, st); err != nil {
		return nil, fmt.Errorf("state file: %w", err)
	}
	if st.Version != stateVersion || !validGUID(st.ClientID) {
		return nil, fmt.Errorf("state file: version %d, client id %q", st.Version, st.ClientID)
	}
	return st, nil
}

// save writes st to path atomically.
func (st *State) save(path string) error {
	body, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	sum := sha256.Sum256(body)
	b, err := json.Marshal(stateFile{Checksum: hex.EncodeToString(sum[:]), State: body})
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	return writeAtomic(path, b)
}

// writeAtomic writes b to path through a temporary file in the same
// directory, synced and renamed over path.
func writeAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	_, werr := f.Write(b)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, werr)
	}
	return nil
}

// server returns the state of the server at url, creating it. When the
// agent was pointed at another server, the old server's cookies, config and
// file locations are purged and its revision cache moves over, marked for
// RefreshCache, which maps it to the new server's revision ids and drops
// what the new server does not return (MS-WSUSOD §3.6).
func (st *State) server(url string) *ServerState {
	if st.Servers == nil {
		st.Servers = map[string]*ServerState{}
	}
	if s, ok := st.Servers[url]; ok {
		return s
	}
	s := &ServerState{URL: url, Revisions: map[int32]*Revision{}}
	for old, prev := range st.Servers {
		if len(prev.Revisions) > 0 {
			s.Revisions = prev.Revisions
			s.NeedsRefresh = true
		}
		delete(st.Servers, old)
	}
	st.Servers[url] = s
	return s
}

// newGUID returns a random (version 4) GUID in lower case.
func newGUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func validGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}
