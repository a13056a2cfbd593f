// Package adminapi is Patchbay's administrative REST/JSON API under
// /api/v1/ and the typed Client the admin CLI verbs use. The operations
// themselves live in package admin; this package is the HTTP edge.
//
// # Endpoints
//
//	GET    /api/v1/groups                    the target group tree with computer counts
//	POST   /api/v1/groups                    {"name","parent"} → 201 with the group
//	DELETE /api/v1/groups/{id}               id or name → 204
//	GET    /api/v1/computers                 computers with groups, OS and contact times
//	PUT    /api/v1/computers/{id}/groups     id or DNS name; {"groups":[names or ids]} → the computer
//	GET    /api/v1/updates                   ?q=&classification=&approved=&needed=&limit=&offset=
//	GET    /api/v1/updates/{id}              one update with files, approvals and status counts
//	GET    /api/v1/approvals                 ?updateId=&group=
//	POST   /api/v1/approvals                 {"updateId","group","action","deadline"} → the approval
//	DELETE /api/v1/approvals                 ?updateId=&group= → 204
//
// Groups are named by id or by name (compared without case) wherever a
// group is expected. Approval actions are install, uninstall, block and
// not-approved (which removes the approval); a deadline is RFC 3339, and a
// past one means "install now", as in WSUS.
//
// # Authentication
//
// Every request, from any address, needs "Authorization: Bearer TOKEN".
// The token is one line in the server's data directory, admin.token: the
// server generates it (256 random bits, file mode 0600) on its first start
// and logs where it is; an administrator may replace it with a token of
// their own (16 characters or more) before starting the server. The admin
// CLI reads the same file with --data DIR (default ./data, env
// PATCHBAY_DATA) or takes the token from --token or PATCHBAY_TOKEN, so on
// the server itself it works without configuration. The token travels in
// clear over plain HTTP: serve the API over HTTPS, or use it on loopback.
//
// # Errors
//
// An error is a JSON body {"code","message"} with the status of its code
// (errors.go): invalid 400 (413 for a body over 1 MiB, 405 for a method a
// path does not take), not_found 404, conflict 409, unauthorized 401, busy
// 503, internal 500. An internal error's cause is logged under a fresh fault
// id, and only that id ("id") reaches the client. Request bodies are one
// JSON object of at most 1 MiB; unknown fields are rejected by name.
package adminapi
