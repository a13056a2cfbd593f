package store

// Setting keys the client protocol persists across restarts and shares
// between front-ends.
const (
	// SettingServerID is the server instance id: a GUID generated once, sealed
	// into cookies so that a cookie of another server gets ServerChanged
	// (MS-WUSP §3.1.5.4).
	SettingServerID = "server_id"
	// SettingConfigLastChange is the configuration LastChange of GetConfig
	// (MS-WUSP §2.2.2.2.1, §3.1.5.1), RFC 3339 with millisecond precision.
	SettingConfigLastChange = "config_last_change"
	// SettingTargetingMode is TargetingServer or TargetingClient.
	SettingTargetingMode = "targeting_mode"
)

// Targeting modes: where computers' target groups come from (MS-WUSP
// §3.1.1 Client Table, "Target groups").
const (
	// TargetingServer: administrators assign computers to groups; new
	// computers go to Unassigned Computers. The default.
	TargetingServer = "server"
	// TargetingClient: computers join the groups they name in
	// GetAuthorizationCookie (targetGroupName), matched by name.
	TargetingClient = "client"
)
