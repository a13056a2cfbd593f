package patchbay

import "time"

// Action is what clients of a target group do with a deployed revision
// (MS-WUSP §3.1.1 Deployment Table; §2.2.2.2.4 Deployment/Action).
type Action string

// Deployment actions.
const (
	ActionInstall            Action = "Install"
	ActionOptionalInstall    Action = "OptionalInstall"
	ActionUninstall          Action = "Uninstall"
	ActionPreDeploymentCheck Action = "PreDeploymentCheck"
	ActionBlock              Action = "Block"
	ActionEvaluate           Action = "Evaluate"
	ActionBundle             Action = "Bundle"
)

// DownloadPriority orders content downloads on the client (MS-WUSP §3.1.1
// Deployment Table). The zero value is Normal.
type DownloadPriority int

// Download priorities.
const (
	PriorityNormal DownloadPriority = 0
	PriorityHigh   DownloadPriority = 1
	PriorityLow    DownloadPriority = -1
)

// TargetGroup is a named group of computers (MS-WUSP §3.1.1 TargetGroup Table).
// The built-in groups have well-known ids (see AllComputersGroupID).
type TargetGroup struct {
	ID       string // GUID
	Name     string
	ParentID string // "" for All Computers
}

// Well-known target group ids used by WSUS.
const (
	AllComputersGroupID        = "a0a08746-4dbe-4a37-9adf-9e7652c0b421"
	UnassignedComputersGroupID = "b73ca6ed-5727-47f3-84de-015e03f6a88a"
)

// Approval is an administrator's decision that a revision is deployed to a
// target group (a row of the Deployment Table).
type Approval struct {
	UpdateID         string
	RevisionNumber   int
	GroupID          string
	Action           Action
	Deadline         time.Time // zero: none
	DownloadPriority DownloadPriority
	LastChange       time.Time
	AdminName        string
}
