// Package wusp implements the wire side of MS-WUSP, the Windows Update
// Services client-server protocol: one wire type per request and response
// element (named verbatim after the spec), the fault table (faults.go), a
// server that turns the three web services into http.Handlers over a
// consumer-side Service interface, and a typed Client.
//
// Decoding is liberal (order-free, namespace-insensitive for child
// elements, unknown elements ignored, absent, empty and nil lists alike);
// encoding is strict (WSDL element order, MS-WUSP §6). See
// shared/docs/protocol-wusp.md for where the spec and real peers differ.
package wusp

// Target namespaces of the three web services (MS-WUSP §6.1–§6.3).
const (
	NSSimpleAuth = "http://www.microsoft.com/SoftwareDistribution/Server/SimpleAuthWebService"
	NSClient     = "http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService"
	NSReporting  = "http://www.microsoft.com/SoftwareDistribution"
)

// Request paths of the three services (MS-WUSP §2.1). Real clients use the
// lower-case "client.asmx" (protocol-wusp.md §1.1); routers should match
// paths case-insensitively.
const (
	PathSimpleAuth = "/SimpleAuthWebService/SimpleAuth.asmx"
	PathClient     = "/ClientWebService/Client.asmx"
	PathReporting  = "/ReportingWebService/ReportingWebService.asmx"
)

// action returns the WSDL SOAPAction of an operation (MS-WUSP §6): the
// service namespace, a slash, and the operation name.
func action(ns, op string) string { return ns + "/" + op }
