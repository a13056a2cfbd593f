package reporting_test

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"patchbay"
	"patchbay/internal/reporting"
	"patchbay/internal/store"
)

// flowDir holds the captured traffic of a Windows 11 client (WUA 2.90)
// with a real WSUS; see its README for provenance.
const flowDir = "../../../shared/data/real/wsus-rs/wsus-m0-native/flow"

// reportEventBatch is the test's own decoding of a ReportEventBatch request
// (MS-WUSP §2.2.2.3.1); the wire package has its own. Element names are
// matched by local name.
type reportEventBatch struct {
	Body struct {
		Batch struct {
			ClientTime string      `xml:"clientTime"`
			Events     []wireEvent `xml:"eventBatch>ReportingEvent"`
		} `xml:"ReportEventBatch"`
	} `xml:"Body"`
}

type wireEvent struct {
	Basic struct {
		Sid             string `xml:"TargetID>Sid"`
		TimeAtTarget    string
		EventInstanceID string
		NamespaceID     int
		EventID         int
		SourceID        int
		UpdateID        string `xml:"UpdateID>UpdateID"`
		RevisionNumber  int    `xml:"UpdateID>RevisionNumber"`
		Win32HResult    int32  // as WUA spells it
		Win32Hresult    int32  // as the spec's schema spells it
		AppName         string
	} `xml:"BasicData"`
	Extended struct {
		Replacement   []string `xml:"ReplacementStrings>string"`
		MiscData      []string `xml:"MiscData>string"`
		DeviceID      string
		ComputerBrand string
		ComputerModel string
		BiosRevision  string
		ProcessorArch string `xml:"ProcessorArchitecture"`
		OSVersion     struct {
			Major, Minor, Build, Revision, ServicePackMajor, ServicePackMinor int
		}
		OSLocaleID int
	} `xml:"ExtendedData"`
}

func parseWireTime(t *testing.T, s string) time.Time {
	t.Helper()
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if v, err := time.Parse(layout, s); err == nil {
			return v.UTC()
		}
	}
	t.Fatalf("time %q", s)
	return time.Time{}
}

func decodeBatch(t *testing.T, name string) (time.Time, []patchbay.Event) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(flowDir, name, "request.body"))
	if err != nil {
		t.Fatal(err)
	}
	var req reportEventBatch
	if err := xml.Unmarshal(b, &req); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	var es []patchbay.Event
	for _, w := range req.Body.Batch.Events {
		v := w.Extended.OSVersion
		es = append(es, patchbay.Event{
			ComputerID: w.Basic.Sid, InstanceID: w.Basic.EventInstanceID,
			TimeAtTarget: parseWireTime(t, w.Basic.TimeAtTarget), NamespaceID: w.Basic.NamespaceID,
			EventID: w.Basic.EventID, SourceID: w.Basic.SourceID, UpdateID: w.Basic.UpdateID,
			RevisionNumber: w.Basic.RevisionNumber, Win32HResult: w.Basic.Win32HResult | w.Basic.Win32Hresult,
			AppName: w.Basic.AppName, Replacement: w.Extended.Replacement, MiscData: w.Extended.MiscData,
			DeviceID: w.Extended.DeviceID, ComputerBrand: w.Extended.ComputerBrand,
			ComputerModel: w.Extended.ComputerModel, BiosRevision: w.Extended.BiosRevision,
			ProcessorArch: w.Extended.ProcessorArch, OSLocaleID: w.Extended.OSLocaleID,
			OSVersion: fmt.Sprintf("%d.%d.%d.%d.%d.%d", v.Major, v.Minor, v.Build, v.Revision, v.ServicePackMajor, v.ServicePackMinor),
		})
	}
	return parseWireTime(t, req.Body.Batch.ClientTime), es
}

// TestConformanceRealBatches ingests the three batches WUA 2.90 sent to a
// real WSUS after a scan (flow/000016–000018, protocol-wusp.md §8.5) and
// checks the status WSUS derived from them (§8.6): the six updates of the
// 156's U list are needed, and the two 182 failures are failed. It skips
// when ../shared is absent.
func TestConformanceRealBatches(t *testing.T) {
	if _, err := os.Stat(flowDir); err != nil {
		t.Skipf("real captures not available: %v", err)
	}
	db := openDB(t)
	const client = "e1da06a3-5601-43c9-bac3-52d5db701494"
	var batches [][]patchbay.Event
	var clientTimes []time.Time
	for _, name := range []string{"000016", "000017", "000018"} {
		ct, es := decodeBatch(t, name)
		batches, clientTimes = append(batches, es), append(clientTimes, ct)
		res, err := reporting.Ingest(t.Context(), db, client, ct, ct.Add(200*time.Millisecond), es)
		if err != nil {
			t.Fatalf("Ingest(%s) = %v", name, err)
		}
		if len(res.Rejected) > 0 || res.TargetMismatches > 0 || res.OtherNamespace > 0 || res.Skew != 0 {
			t.Errorf("Ingest(%s) = %+v; want every event accepted as is", name, res)
		}
	}
	if got := []int{len(batches[0]), len(batches[1]), len(batches[2])}; !cmp.Equal(got, []int{4, 9, 2}) {
		t.Fatalf("decoded batch sizes %v, want [4 9 2] (protocol-wusp.md §8.5)", got)
	}
	needed := []string{"1594b429-a8c5-4b0d-ac86-79b0a826a847", "391d3487-e6f5-4bd0-a607-7e29f9fbd88e",
		"74e87997-e3b3-45d2-a527-a8877a5162ec", "42e65fc7-a953-4d7f-9277-54e3a265200e",
		"22281ef5-bbea-4576-af48-6aa6bafbb5b3"}
	want := map[string]patchbay.UpdateState{
		"a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe": patchbay.StateFailed, // in U, then 182
		"0daf8592-9e3f-4a8a-9141-d83fafebd09f": patchbay.StateFailed, // 182 only
	}
	for _, u := range needed {
		want[u] = patchbay.StateNotInstalled
	}
	ss, err := db.Status(t.Context(), client)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]patchbay.UpdateState{}
	for _, s := range ss {
		got[s.UpdateID] = s.State
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("status after the real batches (-want +got):\n%s", diff)
	}
	c, err := db.Computer(t.Context(), client)
	if err != nil || !c.LastStatusReport.Equal(clientTimes[1]) {
		t.Errorf("LastStatusReport = %v, %v; want the 156 time %v", c.LastStatusReport, err, clientTimes[1])
	}
	// Every event about an update is kept; of those about none, the newest
	// per event id (two 147, two 148 and two 156 share the newest time).
	es, err := db.Events(t.Context(), store.EventFilter{ComputerID: client})
	if err != nil {
		t.Fatal(err)
	}
	count := map[int]int{}
	for _, e := range es {
		count[e.EventID]++
	}
	if diff := cmp.Diff(map[int]int{147: 2, 148: 2, 156: 2, 161: 2, 181: 1, 182: 2}, count); diff != "" {
		t.Errorf("stored events by id (-want +got):\n%s", diff)
	}
	for _, e := range es {
		if e.EventID == patchbay.EventInstallFailed && (e.Win32HResult != -2145099769 || len(e.MiscData) == 0) {
			t.Errorf("182 stored as %+v; want HRESULT 0x80246007 and its MiscData", e)
		}
	}
	// Resending all three batches an hour later (WUA stamps a new
	// clientTime) stores nothing and changes nothing.
	for i, es := range batches {
		later := clientTimes[i].Add(time.Hour)
		res, err := reporting.Ingest(t.Context(), db, client, later, later.Add(300*time.Millisecond), es)
		if err != nil || res.Stored != 0 {
			t.Errorf("Ingest(resent %d) = %+v, %v; want nothing stored", i, res, err)
		}
	}
	if ss2, err := db.Status(t.Context(), client); err != nil || !cmp.Equal(ss, ss2) {
		t.Errorf("status changed by resent batches: %v, %v", ss2, err)
	}
}
