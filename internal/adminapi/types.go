package adminapi

import "patchbay/internal/admin"

// The API's JSON resources are the admin package's views; these aliases let
// API clients (the admin CLI) use them through this package alone.
type (
	Group          = admin.Group
	GroupRef       = admin.GroupRef
	Computer       = admin.Computer
	Approval       = admin.Approval
	ApproveRequest = admin.ApproveRequest
	ApprovalFilter = admin.ApprovalFilter
	Update         = admin.Update
	UpdateDetail   = admin.UpdateDetail
	UpdateFilter   = admin.UpdateFilter
	UpdateApproval = admin.UpdateApproval
	Category       = admin.Category
	Status         = admin.Status
	File           = admin.File
)

// Approval actions accepted by POST /api/v1/approvals.
const (
	ActionInstall     = admin.ActionInstall
	ActionUninstall   = admin.ActionUninstall
	ActionBlock       = admin.ActionBlock
	ActionNotApproved = admin.ActionNotApproved
)
