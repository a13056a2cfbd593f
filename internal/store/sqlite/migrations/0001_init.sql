-- 0001: revisions and their derived tables, target groups, approvals,
-- content and the catalog change counter. Times are UTC text in the fixed
-- width form 2006-01-02T15:04:05.000000000Z so that they sort as text.

-- revisions is the MS-WUSP §3.1.1 Revision Table. id is the RevisionID that
-- clients cache metadata by; AUTOINCREMENT keeps ids from ever being reused.
CREATE TABLE revisions (
	id                    INTEGER PRIMARY KEY AUTOINCREMENT,
	update_id             TEXT    NOT NULL,
	revision_number       INTEGER NOT NULL,
	type                  TEXT    NOT NULL,
	category_type         TEXT    NOT NULL DEFAULT '',
	handler               TEXT    NOT NULL DEFAULT '',
	default_language      TEXT    NOT NULL DEFAULT '',
	creation_date         TEXT    NOT NULL DEFAULT '',
	publication_state     TEXT    NOT NULL DEFAULT '',
	explicitly_deployable INTEGER NOT NULL DEFAULT 0,
	is_public             INTEGER NOT NULL DEFAULT 0,
	eula_id               TEXT    NOT NULL DEFAULT '',
	title                 TEXT    NOT NULL DEFAULT '', -- in the default language
	kb_article_id         TEXT    NOT NULL DEFAULT '',
	security_bulletin_id  TEXT    NOT NULL DEFAULT '',
	msrc_severity         TEXT    NOT NULL DEFAULT '',
	support_url           TEXT    NOT NULL DEFAULT '',
	xml_sha256            BLOB    NOT NULL,
	imported_at           TEXT    NOT NULL,
	UNIQUE (update_id, revision_number)
);
CREATE INDEX revisions_type ON revisions (type, category_type);
CREATE INDEX revisions_kb ON revisions (kb_article_id) WHERE kb_article_id <> '';
CREATE INDEX revisions_title ON revisions (title COLLATE NOCASE);
CREATE INDEX revisions_creation_date ON revisions (creation_date);

-- revision_xml holds the verbatim full update XML apart from revisions, so
-- that scanning revisions for a catalog build never pages through the blobs.
CREATE TABLE revision_xml (
	revision_id INTEGER PRIMARY KEY REFERENCES revisions (id) ON DELETE CASCADE,
	xml         BLOB NOT NULL
);

-- fragments is the MS-WUSP §3.1.1.1 Metadata Table.
CREATE TABLE fragments (
	revision_id INTEGER NOT NULL REFERENCES revisions (id) ON DELETE CASCADE,
	kind        TEXT    NOT NULL,
	locale      TEXT    NOT NULL DEFAULT '',
	geo_id      TEXT    NOT NULL DEFAULT '',
	xml         BLOB    NOT NULL,
	PRIMARY KEY (revision_id, kind, locale, geo_id)
);

-- files is the MS-WUSP §3.1.1 File Table joined with its revision.
CREATE TABLE files (
	revision_id   INTEGER NOT NULL REFERENCES revisions (id) ON DELETE CASCADE,
	ord           INTEGER NOT NULL,
	file_name     TEXT    NOT NULL,
	size          INTEGER NOT NULL,
	sha1          BLOB    NOT NULL,
	sha256        BLOB,
	patching_type TEXT    NOT NULL DEFAULT '',
	modified      TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (revision_id, ord)
);
CREATE INDEX files_sha1 ON files (sha1);

-- prerequisites is the MS-WUSP §3.1.1 Prerequisite Table in CNF: the
-- members of one clause share a clause number.
CREATE TABLE prerequisites (
	revision_id INTEGER NOT NULL REFERENCES revisions (id) ON DELETE CASCADE,
	clause      INTEGER NOT NULL,
	ord         INTEGER NOT NULL,
	update_id   TEXT    NOT NULL,
	is_category INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (revision_id, clause, ord)
);
CREATE INDEX prerequisites_update ON prerequisites (update_id);

-- bundles is the MS-WUSP §3.1.1 Bundle Table in CNF over exact revisions.
CREATE TABLE bundles (
	revision_id     INTEGER NOT NULL REFERENCES revisions (id) ON DELETE CASCADE,
	clause          INTEGER NOT NULL,
	ord             INTEGER NOT NULL,
	update_id       TEXT    NOT NULL,
	revision_number INTEGER NOT NULL,
	PRIMARY KEY (revision_id, clause, ord)
);
CREATE INDEX bundles_member ON bundles (update_id, revision_number);

-- supersedence lists the UpdateIDs a revision supersedes.
CREATE TABLE supersedence (
	revision_id INTEGER NOT NULL REFERENCES revisions (id) ON DELETE CASCADE,
	ord         INTEGER NOT NULL,
	update_id   TEXT    NOT NULL,
	PRIMARY KEY (revision_id, ord)
);
CREATE INDEX supersedence_update ON supersedence (update_id);

-- drivers is the MS-WUSP §3.1.1.1 Driver Table.
CREATE TABLE drivers (
	revision_id        INTEGER NOT NULL REFERENCES revisions (id) ON DELETE CASCADE,
	ord                INTEGER NOT NULL,
	hardware_id        TEXT    NOT NULL,
	driver_ver_date    TEXT    NOT NULL DEFAULT '',
	driver_ver_version TEXT    NOT NULL DEFAULT '',
	class              TEXT    NOT NULL DEFAULT '',
	manufacturer       TEXT    NOT NULL DEFAULT '',
	provider           TEXT    NOT NULL DEFAULT '',
	model              TEXT    NOT NULL DEFAULT '',
	whql_driver_id     INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (revision_id, ord)
);
CREATE INDEX drivers_hardware_id ON drivers (hardware_id COLLATE NOCASE);

-- driver_feature_scores is the MS-WUSP §3.1.1.1 Driver FeatureScore Table.
CREATE TABLE driver_feature_scores (
	revision_id      INTEGER NOT NULL,
	driver_ord       INTEGER NOT NULL,
	ord              INTEGER NOT NULL,
	operating_system TEXT    NOT NULL,
	score            INTEGER NOT NULL,
	PRIMARY KEY (revision_id, driver_ord, ord),
	FOREIGN KEY (revision_id, driver_ord) REFERENCES drivers (revision_id, ord) ON DELETE CASCADE
);

-- driver_hardware_ids is the MS-WUSP §3.1.1.1 Driver TargetComputerHardwareId
-- and DistributionComputerHardwareId Tables; kind is 'target' or 'distribution'.
CREATE TABLE driver_hardware_ids (
	revision_id INTEGER NOT NULL,
	driver_ord  INTEGER NOT NULL,
	kind        TEXT    NOT NULL CHECK (kind IN ('target', 'distribution')),
	ord         INTEGER NOT NULL,
	hardware_id TEXT    NOT NULL,
	PRIMARY KEY (revision_id, driver_ord, kind, ord),
	FOREIGN KEY (revision_id, driver_ord) REFERENCES drivers (revision_id, ord) ON DELETE CASCADE
);

-- localized holds each language's LocalizedProperties (titles for search and
-- the console).
CREATE TABLE localized (
	revision_id   INTEGER NOT NULL REFERENCES revisions (id) ON DELETE CASCADE,
	ord           INTEGER NOT NULL,
	language      TEXT    NOT NULL,
	title         TEXT    NOT NULL DEFAULT '',
	description   TEXT    NOT NULL DEFAULT '',
	release_notes TEXT    NOT NULL DEFAULT '',
	more_info_url TEXT    NOT NULL DEFAULT '',
	support_url   TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (revision_id, ord)
);

-- eulas lists a revision's EULA files per language.
CREATE TABLE eulas (
	revision_id INTEGER NOT NULL REFERENCES revisions (id) ON DELETE CASCADE,
	ord         INTEGER NOT NULL,
	language    TEXT    NOT NULL DEFAULT '',
	geo_id      TEXT    NOT NULL DEFAULT '',
	file_name   TEXT    NOT NULL DEFAULT '',
	sha1        BLOB,
	PRIMARY KEY (revision_id, ord)
);

-- target_groups is the MS-WUSP §3.1.1 TargetGroup Table. Names are unique
-- regardless of case, as in the WSUS console.
CREATE TABLE target_groups (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
	parent_id  TEXT REFERENCES target_groups (id),
	created_at TEXT NOT NULL
);
CREATE INDEX target_groups_parent ON target_groups (parent_id);
INSERT INTO target_groups (id, name, parent_id, created_at) VALUES
	('a0a08746-4dbe-4a37-9adf-9e7652c0b421', 'All Computers', NULL, '1970-01-01T00:00:00.000000000Z'),
	('b73ca6ed-5727-47f3-84de-015e03f6a88a', 'Unassigned Computers', 'a0a08746-4dbe-4a37-9adf-9e7652c0b421', '1970-01-01T00:00:00.000000000Z');

-- approvals is the MS-WUSP §3.1.1 Deployment Table as administrators edit
-- it: one decision per update and group, naming the approved revision. It
-- has no foreign key to revisions, because replacing a revision's metadata
-- must not drop the administrator's decision.
CREATE TABLE approvals (
	update_id         TEXT    NOT NULL,
	group_id          TEXT    NOT NULL REFERENCES target_groups (id) ON DELETE CASCADE,
	revision_number   INTEGER NOT NULL,
	action            TEXT    NOT NULL,
	deadline          TEXT,
	download_priority INTEGER NOT NULL DEFAULT 1,
	last_change       TEXT    NOT NULL,
	admin_name        TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (update_id, group_id)
);
CREATE INDEX approvals_group ON approvals (group_id);

-- catalog_version counts metadata and approval changes; front-ends rebuild
-- their in-memory catalog when it moves.
CREATE TABLE catalog_version (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	version    INTEGER NOT NULL,
	changed_at TEXT    NOT NULL
);
INSERT INTO catalog_version (id, version, changed_at) VALUES (1, 1, '1970-01-01T00:00:00.000000000Z');

-- content lists content files by digest and whether they are on disk.
CREATE TABLE content (
	sha1       BLOB PRIMARY KEY,
	sha256     BLOB,
	size       INTEGER NOT NULL,
	path       TEXT    NOT NULL,
	present    INTEGER NOT NULL DEFAULT 0,
	updated_at TEXT    NOT NULL
);
