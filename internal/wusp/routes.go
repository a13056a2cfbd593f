package wusp

import (
	"encoding/xml"

	"patchbay/internal/soap"
)

// routes returns the dispatch tables of the three services: body element
// QName → the SOAPAction bound in the WSDL (MS-WUSP §6.1–§6.3) and the
// handler. §2.2.2.2.9 misprints SyncPrinterCatalog's action as
// SyncUpdates'; that action is accepted as an alias.
func routes(svc Service, l *Limits) (simpleAuth, client, reporting map[xml.Name]soap.Route) {
	simpleAuth = map[xml.Name]soap.Route{}
	add(simpleAuth, NSSimpleAuth, "GetAuthorizationCookie", handle(l, svc.GetAuthorizationCookie))

	client = map[xml.Name]soap.Route{}
	add(client, NSClient, "GetConfig", handle(l, svc.GetConfig))
	add(client, NSClient, "GetCookie", handle(l, svc.GetCookie))
	add(client, NSClient, "RegisterComputer", handle(l, svc.RegisterComputer))
	add(client, NSClient, "StartCategoryScan", handle(l, svc.StartCategoryScan))
	add(client, NSClient, "SyncUpdates", handle(l, svc.SyncUpdates))
	add(client, NSClient, "SyncPrinterCatalog", handle(l, svc.SyncPrinterCatalog), action(NSClient, "SyncUpdates"))
	add(client, NSClient, "RefreshCache", handle(l, svc.RefreshCache))
	add(client, NSClient, "GetExtendedUpdateInfo", handle(l, svc.GetExtendedUpdateInfo))
	add(client, NSClient, "GetExtendedUpdateInfo2", handle(l, svc.GetExtendedUpdateInfo2))
	add(client, NSClient, "GetFileLocations", handle(l, svc.GetFileLocations))

	reporting = map[xml.Name]soap.Route{}
	add(reporting, NSReporting, "ReportEventBatch", handle(l, svc.ReportEventBatch))
	return simpleAuth, client, reporting
}

func add(m map[xml.Name]soap.Route, ns, op string, h soap.Handler, aliases ...string) {
	m[xml.Name{Space: ns, Local: op}] = soap.Route{Action: action(ns, op), Aliases: aliases, Handler: h}
}
