package clientsync

import (
	"context"
	"fmt"
	"strings"

	"patchbay"
	"patchbay/internal/wusp"
)

// zeroGUID is the UpdateID of events about no update (§2.2.2.3.1).
const zeroGUID = "00000000-0000-0000-0000-000000000000"

// ReportEventBatch implements MS-WUSP §3.1.5.11: the cookie identifies the
// computer (TargetID/Sid is only a cross-check, protocol-wusp.md §8.6);
// every event is handed to the reporting pipeline, which stores it,
// corrects its time by the client's clock skew and derives update status.
// The answer is true once the batch is stored.
func (s *Service) ReportEventBatch(ctx context.Context, req *wusp.ReportEventBatch) (*wusp.ReportEventBatchResponse, error) {
	sess, err := s.openSession(req.Cookie)
	if err != nil {
		return nil, err
	}
	if req.ClientTime.IsZero() {
		return nil, patchbay.Errorf(patchbay.EInvalid, "clientTime")
	}
	now := s.now()
	events := make([]patchbay.Event, 0, len(req.EventBatch))
	for _, e := range req.EventBatch {
		b, x := e.BasicData, e.ExtendedData
		ev := patchbay.Event{
			ComputerID:    sess.Client,
			InstanceID:    strings.ToLower(strings.TrimSpace(b.EventInstanceID)),
			TimeAtTarget:  b.TimeAtTarget.Time,
			NamespaceID:   int(b.NamespaceID),
			EventID:       int(b.EventID),
			SourceID:      int(b.SourceID),
			UpdateID:      zeroGUID,
			Win32HResult:  b.Win32HResult,
			AppName:       b.AppName,
			Replacement:   x.ReplacementStrings,
			MiscData:      x.MiscData,
			DeviceID:      x.DeviceID,
			ComputerBrand: x.ComputerBrand,
			ComputerModel: x.ComputerModel,
			BiosRevision:  x.BiosRevision,
			ProcessorArch: x.ProcessorArchitecture,
			OSVersion: fmt.Sprintf("%d.%d.%d.%d.%d.%d", x.OSVersion.Major, x.OSVersion.Minor, x.OSVersion.Build,
				x.OSVersion.Revision, x.OSVersion.ServicePackMajor, x.OSVersion.ServicePackMinor),
			OSLocaleID: int(x.OSLocaleID),
			ReceivedAt: now,
		}
		if b.UpdateID != nil && b.UpdateID.UpdateID != "" {
			ev.UpdateID = strings.ToLower(strings.TrimSpace(b.UpdateID.UpdateID))
			ev.RevisionNumber = int(b.UpdateID.RevisionNumber)
		}
		if sid := strings.ToLower(strings.TrimSpace(b.TargetID.Sid)); sid != "" && sid != sess.Client {
			s.log.Debug("event TargetID differs from the cookie's client", "cookie", sess.Client, "sid", sid)
		}
		events = append(events, ev)
	}
	if err := s.reporter.Ingest(ctx, sess.Client, req.ClientTime.Time, now, events); err != nil {
		return nil, err
	}
	return &wusp.ReportEventBatchResponse{ReportEventBatchResult: true}, nil
}
