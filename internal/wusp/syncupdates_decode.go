package wusp

import (
	"bytes"

	"patchbay/internal/soap"
)

// decodeMessage decodes a SyncUpdates request. The three id arrays of
// SyncUpdateParameters (InstalledNonLeafUpdateIDs, OtherCachedUpdateIDs,
// CachedDriverIDs: children of parameters, in any namespace, as the struct
// tags match them) are read by scanInts and cut out of the body, and the
// small remainder goes through encoding/xml. Whenever scanInts or the walk
// to the arrays meets a shape it does not judge alone, the whole body goes
// through encoding/xml instead; both paths give the same request
// (TestSyncUpdatesFastDecode).
func (r *SyncUpdates) decodeMessage(m *soap.Message) error {
	spans, ids, ok := cutSyncUpdates(m.Body)
	if !ok || len(spans) == 0 {
		return m.Decode(r)
	}
	if err := m.Omit(spans).Decode(r); err != nil {
		return err
	}
	if r.Parameters == nil {
		// Cannot happen: the arrays were cut from inside parameters.
		*r = SyncUpdates{}
		return m.Decode(r)
	}
	p := r.Parameters
	p.InstalledNonLeafUpdateIDs = ids[0]
	p.OtherCachedUpdateIDs = ids[1]
	p.CachedDriverIDs = ids[2]
	return nil
}

// syncArrays are the local names of the arrays cutSyncUpdates reads, in the
// order of its result.
var syncArrays = [...][]byte{
	[]byte("InstalledNonLeafUpdateIDs"),
	[]byte("OtherCachedUpdateIDs"),
	[]byte("CachedDriverIDs"),
}

// cutSyncUpdates walks a SyncUpdates body element: in each parameters
// child, it reads every child named like one of syncArrays with scanInts.
// It returns the spans of those array elements in body and their items
// (nil for an array with none, as encoding/xml leaves it); false means the
// walk met something it does not judge alone.
func cutSyncUpdates(body []byte) (spans []soap.Span, ids [len(syncArrays)][]int32, ok bool) {
	t, ok := soap.ScanTag(body, 0)
	if !ok {
		return nil, ids, false
	}
	if t.Empty {
		return nil, ids, true
	}
	i := t.End
	for {
		j, ok := soap.NextTag(body, i)
		if !ok {
			return nil, ids, false
		}
		if body[j+1] == '/' {
			return spans, ids, true // the body element's end
		}
		c, ok := soap.ScanTag(body, j)
		if !ok {
			return nil, ids, false
		}
		if c.Empty || !bytes.Equal(localName(c.Name), []byte("parameters")) {
			if _, i, ok = soap.ScanContent(body, c); !ok {
				return nil, ids, false
			}
			continue
		}
		k := c.End
		for {
			j, ok := soap.NextTag(body, k)
			if !ok {
				return nil, ids, false
			}
			if body[j+1] == '/' {
				// parameters' end; a mismatch is left to encoding/xml,
				// which reads the tags around the cuts.
				if _, k, ok = soap.ScanEndTag(body, j); !ok {
					return nil, ids, false
				}
				break
			}
			a, ok := soap.ScanTag(body, j)
			if !ok {
				return nil, ids, false
			}
			n := -1
			for x, name := range syncArrays {
				if bytes.Equal(localName(a.Name), name) {
					n = x
				}
			}
			if n < 0 {
				if _, k, ok = soap.ScanContent(body, a); !ok {
					return nil, ids, false
				}
				continue
			}
			if ids[n], k, ok = scanInts(body, a, ids[n]); !ok {
				return nil, ids, false
			}
			spans = append(spans, soap.Span{Start: j, End: k})
		}
		i = k
	}
}
