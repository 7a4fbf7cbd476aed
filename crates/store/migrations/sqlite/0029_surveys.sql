-- Survey definitions (issue #25): each version as imported, never changed, only
-- superseded by a later version of the same survey. `definition` is the domain's `Survey`
-- as JSON; `digest` its SHA-256 in hex, so that scores can name exactly the definition
-- they were computed under; `title` its title in its first language, for lists.

CREATE TABLE survey_versions (
    survey_key  TEXT NOT NULL,
    version     INTEGER NOT NULL,
    title       TEXT NOT NULL,
    definition  TEXT NOT NULL,
    digest      TEXT NOT NULL,
    imported_by BLOB NOT NULL,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (survey_key, version)
);
