package agent

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"patchbay"
	"patchbay/internal/wusp"
)

// Event ids the agent reports, as WUA sends them (MS-WUSP §2.2.2.3.1 EventID
// table; protocol-wusp.md §8.4).
const (
	EventDetectionFinished  int16 = 147 // %1 = updates found
	EventDetectionFailed    int16 = 148 // %1 = error
	EventStatus             int16 = 156 // MiscData U=, V=
	EventDownloadFailed     int16 = 161
	EventDownloadSucceeded  int16 = 162 // MiscData B= bytes
	EventDownloadStarted    int16 = 167
	EventInstallStarted     int16 = 181
	EventInstallFailed      int16 = 182
	EventInstallSucceeded   int16 = 183
	EventInstallPending     int16 = 201 // restart needed, 0x00240005
	EventUninstallFailed    int16 = 221
	EventUninstallSucceeded int16 = 222
)

// HRESULTs the agent reports (Win32HResult is a signed int on the wire).
var (
	hrRebootRequired   = hresult(0x00240005) // WU_S_REBOOT_REQUIRED, with event 201
	hrFileHash         = hresult(0x80246002) // WU_E_DM_INCORRECTFILEHASH
	hrNotDownloaded    = hresult(0x80246007) // WU_E_DM_NOTDOWNLOADED
	hrGeneric          = hresult(0x80004005) // E_FAIL
	hrSoapFault        = hresult(0x80244007) // WU_E_PT_SOAPCLIENT_SOAPFAULT
	hrNoConnection     = hresult(0x80072EFD) // ERROR_INTERNET_CANNOT_CONNECT
	hrInstallerTimeout = hresult(0x800705B4) // HRESULT_FROM_WIN32(ERROR_TIMEOUT)
)

func hresult(u uint32) int32 { return int32(u) }

// hresultFromExit is HRESULT_FROM_WIN32 of an installer's exit code.
func hresultFromExit(code int) int32 {
	if code > 0 && code <= 0xffff {
		return hresult(0x80070000 | uint32(code))
	}
	return hrGeneric
}

// Event is one queued ReportingEvent (MS-WUSP §2.2.2.3.1), kept in the
// state file until ReportEventBatch acknowledged it.
type Event struct {
	InstanceID  string    `json:"instanceId"`
	EventID     int16     `json:"eventId"`
	Time        time.Time `json:"time"`
	UpdateID    string    `json:"updateId,omitempty"`
	Revision    int32     `json:"revision,omitempty"`
	HResult     int32     `json:"hresult,omitempty"`
	Replacement []string  `json:"replacement,omitempty"`
	Misc        []string  `json:"misc,omitempty"`
}

// event returns a new event about u (nil for none).
func (a *Agent) event(id int16, r *Revision, hr int32, repl []string) Event {
	e := Event{InstanceID: newGUID(), EventID: id, Time: a.now().Truncate(time.Millisecond), HResult: hr, Replacement: repl}
	if r != nil {
		e.UpdateID, e.Revision = r.UpdateID, r.RevisionNumber
		q := "Q=1"
		if len(r.Bundled) > 0 {
			q = "Q=2"
		}
		e.Misc = append(e.Misc, q)
		if c := a.st.Failures[r.UpdateID]; c > 0 {
			e.Misc = append(e.Misc, "C="+strconv.Itoa(c))
		}
	}
	e.Misc = append(e.Misc, "G="+fmt.Sprintf("%d.%d.%d.%d", clientVersion[0], clientVersion[1], clientVersion[2], clientVersion[3]),
		"J="+strconv.Itoa(a.st.J))
	return e
}

// queue appends e to the pending events; callers hold a.mu and save.
func (a *Agent) queue(e Event) {
	const maxPending = 5000 // bound the queue of a client that never reaches its server
	if len(a.st.Pending) >= maxPending {
		a.st.Pending = slices.Delete(a.st.Pending, 0, len(a.st.Pending)-maxPending+1)
	}
	a.st.Pending = append(a.st.Pending, e)
}

// Pending returns the number of events not yet acknowledged.
func (a *Agent) Pending() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.st.Pending)
}

// reportBatch is the most events per ReportEventBatch.
const reportBatch = 100

// Report sends the pending events with ReportEventBatch (MS-WUSP
// §3.1.5.11) in batches, removing each batch from the queue only after the
// server answered true. Events whose id is not in GetConfig's
// AllowedEventIds (when the server sent that list) are dropped unsent. It
// returns the number of events acknowledged.
func (a *Agent) Report(ctx context.Context) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	sent := 0
	for len(a.st.Pending) > 0 {
		var allowed []int32
		var accepted bool
		var n int
		err := a.do(ctx, "ReportEventBatch", func(s *ServerState) error {
			allowed = nil
			if s.Config != nil {
				allowed = s.Config.AllowedEventIds
			}
			if len(allowed) > 0 {
				a.st.Pending = slices.DeleteFunc(a.st.Pending, func(e Event) bool { return !slices.Contains(allowed, int32(e.EventID)) })
			}
			n = min(reportBatch, len(a.st.Pending))
			if n == 0 {
				return nil
			}
			batch := make(wusp.List[wusp.ReportingEvent], n)
			for i, e := range a.st.Pending[:n] {
				batch[i] = a.reportingEvent(e)
			}
			resp, err := a.report.ReportEventBatch(ctx, &wusp.ReportEventBatch{Cookie: s.Cookie, ClientTime: wusp.DateTime{Time: a.now().Truncate(time.Millisecond)}, EventBatch: batch})
			if err != nil {
				return err
			}
			accepted = resp.ReportEventBatchResult
			return nil
		})
		if err != nil {
			a.save()
			return sent, err
		}
		if n == 0 {
			break
		}
		if !accepted {
			a.save()
			return sent, patchbay.Errorf(patchbay.EBusy, "server did not accept the events")
		}
		a.st.Pending = slices.Delete(a.st.Pending, 0, n)
		sent += n
		if err := a.save(); err != nil {
			return sent, err
		}
	}
	return sent, a.save()
}

// ReportLoop sends the pending events whenever kick fires, retrying a
// failed upload with a bounded backoff (1 min doubling to 1 h), until ctx
// ends: events are reported asynchronously as WUA does (protocol-wusp.md
// §3.4).
func (a *Agent) ReportLoop(ctx context.Context, kick <-chan struct{}) {
	wait := time.Duration(0)
	for {
		if wait > 0 {
			if a.sleep(ctx, wait) != nil {
				return
			}
		} else {
			select {
			case <-ctx.Done():
				return
			case <-kick:
			}
		}
		if _, err := a.Report(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("reporting events", "err", err)
			wait = min(max(wait*2, time.Minute), time.Hour)
			continue
		}
		wait = 0
	}
}

// reportingEvent fills a ReportingEvent as WUA does (protocol-wusp.md §8.2):
// TargetID/Sid the client id, SequenceNumber 0, NamespaceID 1, SourceID
// 101, a zero update id when none, an empty PrivateData.
func (a *Agent) reportingEvent(e Event) wusp.ReportingEvent {
	f := a.inv.Facts()
	uid := &wusp.UpdateIdentity{UpdateID: "00000000-0000-0000-0000-000000000000"}
	if e.UpdateID != "" {
		uid = &wusp.UpdateIdentity{UpdateID: e.UpdateID, RevisionNumber: e.Revision}
	}
	return wusp.ReportingEvent{
		BasicData: wusp.BasicData{
			TargetID: wusp.ComputerTargetIdentifier{Sid: a.st.ClientID}, TimeAtTarget: wusp.DateTime{Time: e.Time},
			EventInstanceID: e.InstanceID, NamespaceID: 1, EventID: e.EventID, SourceID: 101, UpdateID: uid,
			Win32HResult: e.HResult,
		},
		ExtendedData: wusp.ExtendedData{
			ReplacementStrings: e.Replacement, MiscData: e.Misc, ComputerBrand: f.Manufacturer, ComputerModel: f.Model,
			BiosRevision: f.BiosVersion, ProcessorArchitecture: reportArch(f.ProcessorArchitecture),
			OSVersion:  wusp.DetailedVersion{Major: f.OSMajor, Minor: f.OSMinor, Build: f.OSBuild, Revision: f.OSRev, ServicePackMajor: f.SPMajor, ServicePackMinor: f.SPMinor},
			OSLocaleID: f.OSLocaleID,
		},
	}
}

// reportArch maps an architecture to the ReportingEvent enumeration.
func reportArch(arch string) string {
	switch strings.ToLower(arch) {
	case "amd64", "x64":
		return "Amd64Compatible"
	case "x86", "i386":
		return "X86Compatible"
	case "ia64":
		return "IA64Compatible"
	}
	return "Unknown"
}

// hresultOf maps an error to the HRESULT reported with it.
func hresultOf(err error) int32 {
	var pe *patchbay.Error
	switch {
	case err == nil:
		return 0
	case errors.As(err, &pe) && pe.Err != nil:
		return hrSoapFault
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return hrGeneric
	}
	return hrNoConnection
}

func hresultText(hr int32) string { return fmt.Sprintf("0x%08X", uint32(hr)) }
