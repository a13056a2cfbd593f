-- 0002: computers (MS-WUSP §3.1.1 Client Table and §2.2.2.2.3 ComputerInfo),
-- their target group membership, reported events (§2.2.2.3.1), the per
-- computer, per update status derived from them, and server settings.

-- computers holds every client that has contacted the server. id is the
-- client id of GetAuthorizationCookie in lower case; registered is set by
-- RegisterComputer, which fills the ComputerInfo columns.
CREATE TABLE computers (
	id                     TEXT    PRIMARY KEY,
	dns_name               TEXT    NOT NULL DEFAULT '',
	os_major               INTEGER NOT NULL DEFAULT 0,
	os_minor               INTEGER NOT NULL DEFAULT 0,
	os_build               INTEGER NOT NULL DEFAULT 0,
	os_sp_major            INTEGER NOT NULL DEFAULT 0,
	os_sp_minor            INTEGER NOT NULL DEFAULT 0,
	os_locale              TEXT    NOT NULL DEFAULT '',
	os_description         TEXT    NOT NULL DEFAULT '',
	manufacturer           TEXT    NOT NULL DEFAULT '',
	model                  TEXT    NOT NULL DEFAULT '',
	bios_version           TEXT    NOT NULL DEFAULT '',
	bios_name              TEXT    NOT NULL DEFAULT '',
	bios_release_date      TEXT    NOT NULL DEFAULT '',
	processor_architecture TEXT    NOT NULL DEFAULT '',
	suite_mask             INTEGER NOT NULL DEFAULT 0,
	old_product_type       INTEGER NOT NULL DEFAULT 0,
	new_product_type       INTEGER NOT NULL DEFAULT 0,
	system_metrics         INTEGER NOT NULL DEFAULT 0,
	client_version         TEXT    NOT NULL DEFAULT '',
	oem                    TEXT    NOT NULL DEFAULT '',
	device_type            TEXT    NOT NULL DEFAULT '',
	firmware_version       TEXT    NOT NULL DEFAULT '',
	mobile_operator        TEXT    NOT NULL DEFAULT '',
	protocol_version       TEXT    NOT NULL DEFAULT '',
	registered             INTEGER NOT NULL DEFAULT 0,
	first_seen             TEXT    NOT NULL,
	last_contact           TEXT    NOT NULL DEFAULT '',
	last_sync              TEXT    NOT NULL DEFAULT '',
	last_report            TEXT    NOT NULL DEFAULT '',
	last_status_report     TEXT    NOT NULL DEFAULT '',
	last_detection         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX computers_dns_name ON computers (dns_name COLLATE NOCASE);

-- computer_groups is the server-side targeting membership an administrator
-- assigned (or, in client-side targeting, the groups the claimed names
-- resolved to). A computer in no other group is in Unassigned Computers.
CREATE TABLE computer_groups (
	computer_id TEXT NOT NULL REFERENCES computers (id) ON DELETE CASCADE,
	group_id    TEXT NOT NULL REFERENCES target_groups (id) ON DELETE CASCADE,
	PRIMARY KEY (computer_id, group_id)
);
CREATE INDEX computer_groups_group ON computer_groups (group_id);

-- computer_claimed_groups are the target group names the client sent in
-- GetAuthorizationCookie (client-side targeting, MS-WUSP §2.2.2.1.1).
CREATE TABLE computer_claimed_groups (
	computer_id TEXT    NOT NULL REFERENCES computers (id) ON DELETE CASCADE,
	ord         INTEGER NOT NULL,
	name        TEXT    NOT NULL,
	PRIMARY KEY (computer_id, ord)
);

-- events holds ReportingEvents (MS-WUSP §2.2.2.3.1) as received. An event
-- is unique per computer and EventInstanceID, so a resent batch adds
-- nothing. Events that name no update keep only the newest row per
-- computer, namespace and event id, as WSUS does (protocol-wusp.md §8.6).
-- replacement and misc_data are JSON arrays of strings.
CREATE TABLE events (
	id              INTEGER PRIMARY KEY,
	computer_id     TEXT    NOT NULL REFERENCES computers (id) ON DELETE CASCADE,
	instance_id     TEXT    NOT NULL,
	time_at_target  TEXT    NOT NULL DEFAULT '',
	time            TEXT    NOT NULL,
	received_at     TEXT    NOT NULL,
	namespace_id    INTEGER NOT NULL,
	event_id        INTEGER NOT NULL,
	source_id       INTEGER NOT NULL,
	update_id       TEXT    NOT NULL,
	revision_number INTEGER NOT NULL,
	win32_hresult   INTEGER NOT NULL,
	app_name        TEXT    NOT NULL DEFAULT '',
	replacement     TEXT    NOT NULL DEFAULT '[]',
	misc_data       TEXT    NOT NULL DEFAULT '[]',
	device_id       TEXT    NOT NULL DEFAULT '',
	computer_brand  TEXT    NOT NULL DEFAULT '',
	computer_model  TEXT    NOT NULL DEFAULT '',
	bios_revision   TEXT    NOT NULL DEFAULT '',
	processor_arch  TEXT    NOT NULL DEFAULT '',
	os_version      TEXT    NOT NULL DEFAULT '',
	os_locale_id    INTEGER NOT NULL DEFAULT 0,
	UNIQUE (computer_id, instance_id)
);
CREATE INDEX events_computer_time ON events (computer_id, time);
CREATE INDEX events_update_time ON events (update_id, time) WHERE update_id <> '00000000-0000-0000-0000-000000000000';
CREATE INDEX events_time ON events (time);
CREATE INDEX events_no_update ON events (computer_id, namespace_id, event_id, time)
	WHERE update_id = '00000000-0000-0000-0000-000000000000';

-- update_status is the installation state of one update on one computer
-- (patchbay.UpdateState numbers, the MS-WSUSSS SummarizationState values).
-- changed is when the state last changed; asserted is the time of the
-- newest event that stated it, the watermark for "the newer event wins".
-- It has no foreign key to revisions: a client may report an update the
-- catalog does not (yet, or any longer) hold.
CREATE TABLE update_status (
	computer_id TEXT    NOT NULL REFERENCES computers (id) ON DELETE CASCADE,
	update_id   TEXT    NOT NULL,
	state       INTEGER NOT NULL,
	changed     TEXT    NOT NULL,
	asserted    TEXT    NOT NULL,
	PRIMARY KEY (computer_id, update_id)
);
CREATE INDEX update_status_update ON update_status (update_id, state);

-- settings holds server-wide key/value settings shared by all front-ends
-- (server instance id, configuration LastChange, targeting mode).
CREATE TABLE settings (
	key        TEXT PRIMARY KEY,
	value      TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
