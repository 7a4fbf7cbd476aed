-- Homeward schema, PostgreSQL.

CREATE TABLE offices (
    id          UUID PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    country     TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE programmes (
    id          UUID PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    settings    TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id            UUID PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active        BOOLEAN NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE user_roles (
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE user_offices (
    user_id   UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    office_id UUID NOT NULL REFERENCES offices(id),
    PRIMARY KEY (user_id, office_id)
);

CREATE TABLE auth_sessions (
    id                TEXT PRIMARY KEY,
    user_id           UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind              TEXT NOT NULL,
    name              TEXT,
    csrf_token        TEXT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    last_seen_at      TIMESTAMPTZ NOT NULL,
    expires_at        TIMESTAMPTZ NOT NULL,
    idle_timeout_secs BIGINT
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

CREATE TABLE login_failures (
    id  BIGSERIAL PRIMARY KEY,
    key TEXT NOT NULL,
    at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);

CREATE TABLE case_streams (
    case_id    UUID PRIMARY KEY,
    version    BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE events (
    position      BIGSERIAL PRIMARY KEY,
    case_id       UUID NOT NULL REFERENCES case_streams(case_id),
    version       BIGINT NOT NULL,
    event_type    TEXT NOT NULL,
    event_version BIGINT NOT NULL,
    payload       JSONB NOT NULL,
    actor         UUID NOT NULL,
    occurred_at   TIMESTAMPTZ NOT NULL,
    recorded_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (case_id, version)
);

CREATE FUNCTION homeward_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the % table is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION homeward_append_only();

CREATE TABLE reference_sequences (
    key  TEXT PRIMARY KEY,
    last BIGINT NOT NULL
);

CREATE TABLE case_summaries (
    case_id             UUID PRIMARY KEY,
    reference           TEXT NOT NULL UNIQUE,
    host_office         UUID NOT NULL,
    return_office       UUID,
    programme           UUID NOT NULL,
    stage               TEXT NOT NULL,
    outcome             TEXT,
    country_of_return   TEXT NOT NULL,
    principal_name      TEXT NOT NULL,
    members             BIGINT NOT NULL,
    vulnerabilities     BIGINT NOT NULL,
    registered_at       TIMESTAMPTZ NOT NULL,
    first_counselling_at TIMESTAMPTZ,
    applied_at          TIMESTAMPTZ,
    decided_at          TIMESTAMPTZ,
    departed_at         TIMESTAMPTZ,
    arrived_at          TIMESTAMPTZ,
    withdrawn_at        TIMESTAMPTZ,
    closed_at           TIMESTAMPTZ,
    version             BIGINT NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_summaries_host ON case_summaries (host_office, registered_at);
CREATE INDEX case_summaries_return ON case_summaries (return_office);
CREATE INDEX case_summaries_stage ON case_summaries (stage);

CREATE TABLE case_people (
    case_id         UUID NOT NULL REFERENCES case_summaries(case_id) ON DELETE CASCADE,
    person_id       UUID NOT NULL,
    relationship    TEXT NOT NULL,
    given_name      TEXT NOT NULL,
    family_name     TEXT,
    search_name     TEXT NOT NULL,
    birth_date      DATE,
    birth_year      BIGINT NOT NULL,
    birth_estimated BOOLEAN NOT NULL,
    sex             TEXT NOT NULL,
    nationality     TEXT,
    vulnerabilities BIGINT NOT NULL,
    PRIMARY KEY (case_id, person_id)
);
CREATE INDEX case_people_person ON case_people (person_id);
CREATE INDEX case_people_search ON case_people (search_name text_pattern_ops);
CREATE INDEX case_people_birth ON case_people (birth_date);

CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL,
    actor     UUID,
    action    TEXT NOT NULL,
    case_id   UUID,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION homeward_append_only();
