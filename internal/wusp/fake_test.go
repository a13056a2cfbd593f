package wusp

import (
	"context"
	"sync"

	"patchbay"
)

// fakeService is a Service made of function fields, for error injection
// and canned answers. A nil field answers EInternal, so a test that
// reaches an operation it did not set up fails loudly.
type fakeService struct {
	getAuthorizationCookie func(context.Context, *GetAuthorizationCookie) (*GetAuthorizationCookieResponse, error)
	getConfig              func(context.Context, *GetConfig) (*GetConfigResponse, error)
	getCookie              func(context.Context, *GetCookie) (*GetCookieResponse, error)
	registerComputer       func(context.Context, *RegisterComputer) (*RegisterComputerResponse, error)
	startCategoryScan      func(context.Context, *StartCategoryScan) (*StartCategoryScanResponse, error)
	syncUpdates            func(context.Context, *SyncUpdates) (*SyncUpdatesResponse, error)
	syncPrinterCatalog     func(context.Context, *SyncPrinterCatalog) (*SyncPrinterCatalogResponse, error)
	refreshCache           func(context.Context, *RefreshCache) (*RefreshCacheResponse, error)
	getExtendedUpdateInfo  func(context.Context, *GetExtendedUpdateInfo) (*GetExtendedUpdateInfoResponse, error)
	getExtendedUpdateInfo2 func(context.Context, *GetExtendedUpdateInfo2) (*GetExtendedUpdateInfo2Response, error)
	getFileLocations       func(context.Context, *GetFileLocations) (*GetFileLocationsResponse, error)
	reportEventBatch       func(context.Context, *ReportEventBatch) (*ReportEventBatchResponse, error)
}

var errNotSet = patchbay.Errorf(patchbay.EInternal, "fake: operation not set up")

func fcall[Req, Resp any](f func(context.Context, *Req) (*Resp, error), ctx context.Context, r *Req) (*Resp, error) {
	if f == nil {
		return nil, errNotSet
	}
	return f(ctx, r)
}

func (f *fakeService) GetAuthorizationCookie(ctx context.Context, r *GetAuthorizationCookie) (*GetAuthorizationCookieResponse, error) {
	return fcall(f.getAuthorizationCookie, ctx, r)
}
func (f *fakeService) GetConfig(ctx context.Context, r *GetConfig) (*GetConfigResponse, error) {
	return fcall(f.getConfig, ctx, r)
}
func (f *fakeService) GetCookie(ctx context.Context, r *GetCookie) (*GetCookieResponse, error) {
	return fcall(f.getCookie, ctx, r)
}
func (f *fakeService) RegisterComputer(ctx context.Context, r *RegisterComputer) (*RegisterComputerResponse, error) {
	return fcall(f.registerComputer, ctx, r)
}
func (f *fakeService) StartCategoryScan(ctx context.Context, r *StartCategoryScan) (*StartCategoryScanResponse, error) {
	return fcall(f.startCategoryScan, ctx, r)
}
func (f *fakeService) SyncUpdates(ctx context.Context, r *SyncUpdates) (*SyncUpdatesResponse, error) {
	return fcall(f.syncUpdates, ctx, r)
}
func (f *fakeService) SyncPrinterCatalog(ctx context.Context, r *SyncPrinterCatalog) (*SyncPrinterCatalogResponse, error) {
	return fcall(f.syncPrinterCatalog, ctx, r)
}
func (f *fakeService) RefreshCache(ctx context.Context, r *RefreshCache) (*RefreshCacheResponse, error) {
	return fcall(f.refreshCache, ctx, r)
}
func (f *fakeService) GetExtendedUpdateInfo(ctx context.Context, r *GetExtendedUpdateInfo) (*GetExtendedUpdateInfoResponse, error) {
	return fcall(f.getExtendedUpdateInfo, ctx, r)
}
func (f *fakeService) GetExtendedUpdateInfo2(ctx context.Context, r *GetExtendedUpdateInfo2) (*GetExtendedUpdateInfo2Response, error) {
	return fcall(f.getExtendedUpdateInfo2, ctx, r)
}
func (f *fakeService) GetFileLocations(ctx context.Context, r *GetFileLocations) (*GetFileLocationsResponse, error) {
	return fcall(f.getFileLocations, ctx, r)
}
func (f *fakeService) ReportEventBatch(ctx context.Context, r *ReportEventBatch) (*ReportEventBatchResponse, error) {
	return fcall(f.reportEventBatch, ctx, r)
}

// recorder returns a fakeService whose every operation records its
// decoded request and answers an empty response (ReportEventBatch: true).
type recorder struct {
	mu   sync.Mutex
	reqs []any
}

func (rec *recorder) last() any {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.reqs) == 0 {
		return nil
	}
	return rec.reqs[len(rec.reqs)-1]
}

func record[Req, Resp any](rec *recorder, resp *Resp) func(context.Context, *Req) (*Resp, error) {
	return func(_ context.Context, r *Req) (*Resp, error) {
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, r)
		rec.mu.Unlock()
		return resp, nil
	}
}

func (rec *recorder) service() *fakeService {
	return &fakeService{
		getAuthorizationCookie: record[GetAuthorizationCookie, GetAuthorizationCookieResponse](rec, nil),
		getConfig:              record[GetConfig, GetConfigResponse](rec, nil),
		getCookie:              record[GetCookie, GetCookieResponse](rec, nil),
		registerComputer:       record[RegisterComputer, RegisterComputerResponse](rec, nil),
		startCategoryScan:      record[StartCategoryScan, StartCategoryScanResponse](rec, nil),
		syncUpdates:            record[SyncUpdates, SyncUpdatesResponse](rec, nil),
		syncPrinterCatalog:     record[SyncPrinterCatalog, SyncPrinterCatalogResponse](rec, nil),
		refreshCache:           record[RefreshCache, RefreshCacheResponse](rec, nil),
		getExtendedUpdateInfo:  record[GetExtendedUpdateInfo, GetExtendedUpdateInfoResponse](rec, nil),
		getExtendedUpdateInfo2: record[GetExtendedUpdateInfo2, GetExtendedUpdateInfo2Response](rec, nil),
		getFileLocations:       record[GetFileLocations, GetFileLocationsResponse](rec, nil),
		reportEventBatch:       record[ReportEventBatch](rec, &ReportEventBatchResponse{ReportEventBatchResult: true}),
	}
}
