-- Homeward schema, SQLite. Timestamps are RFC 3339 text in UTC; ids are UUID blobs.

CREATE TABLE offices (
    id          BLOB PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    country     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE programmes (
    id          BLOB PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    settings    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE users (
    id            BLOB PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE user_roles (
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE user_offices (
    user_id   BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    office_id BLOB NOT NULL REFERENCES offices(id),
    PRIMARY KEY (user_id, office_id)
);

CREATE TABLE auth_sessions (
    id                TEXT PRIMARY KEY,
    user_id           BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind              TEXT NOT NULL,
    name              TEXT,
    csrf_token        TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    last_seen_at      TEXT NOT NULL,
    expires_at        TEXT NOT NULL,
    idle_timeout_secs INTEGER
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

CREATE TABLE login_failures (
    id  INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    at  TEXT NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);

-- The event log: append-only. A stream head per case carries the version that
-- optimistic concurrency compares against.
CREATE TABLE case_streams (
    case_id    BLOB PRIMARY KEY,
    version    INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE events (
    position      INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id       BLOB NOT NULL REFERENCES case_streams(case_id),
    version       INTEGER NOT NULL,
    event_type    TEXT NOT NULL,
    event_version INTEGER NOT NULL,
    payload       TEXT NOT NULL,
    actor         BLOB NOT NULL,
    occurred_at   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    UNIQUE (case_id, version)
);

CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;

CREATE TABLE reference_sequences (
    key  TEXT PRIMARY KEY,
    last INTEGER NOT NULL
);

-- Read models, rebuilt from the log by `homeward rebuild-projections`.
CREATE TABLE case_summaries (
    case_id             BLOB PRIMARY KEY,
    reference           TEXT NOT NULL UNIQUE,
    host_office         BLOB NOT NULL,
    return_office       BLOB,
    programme           BLOB NOT NULL,
    stage               TEXT NOT NULL,
    outcome             TEXT,
    country_of_return   TEXT NOT NULL,
    principal_name      TEXT NOT NULL,
    members             INTEGER NOT NULL,
    vulnerabilities     INTEGER NOT NULL,
    registered_at       TEXT NOT NULL,
    first_counselling_at TEXT,
    applied_at          TEXT,
    decided_at          TEXT,
    departed_at         TEXT,
    arrived_at          TEXT,
    withdrawn_at        TEXT,
    closed_at           TEXT,
    version             INTEGER NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX case_summaries_host ON case_summaries (host_office, registered_at);
CREATE INDEX case_summaries_return ON case_summaries (return_office);
CREATE INDEX case_summaries_stage ON case_summaries (stage);

CREATE TABLE case_people (
    case_id         BLOB NOT NULL REFERENCES case_summaries(case_id) ON DELETE CASCADE,
    person_id       BLOB NOT NULL,
    relationship    TEXT NOT NULL,
    given_name      TEXT NOT NULL,
    family_name     TEXT,
    search_name     TEXT NOT NULL,
    birth_date      TEXT,
    birth_year      INTEGER NOT NULL,
    birth_estimated INTEGER NOT NULL,
    sex             TEXT NOT NULL,
    nationality     TEXT,
    vulnerabilities INTEGER NOT NULL,
    PRIMARY KEY (case_id, person_id)
);
CREATE INDEX case_people_person ON case_people (person_id);
CREATE INDEX case_people_search ON case_people (search_name);
CREATE INDEX case_people_birth ON case_people (birth_date);

-- The audit log: append-only and hash-chained.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     BLOB,
    action    TEXT NOT NULL,
    case_id   BLOB,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);

CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
