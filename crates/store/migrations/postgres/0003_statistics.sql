-- Statistics read models: one row per person who returned, one per withdrawal,
-- rejection or no-show. Written with each commit; rebuilt from the log.

CREATE TABLE stat_returns (
    case_id          UUID NOT NULL,
    person_id        UUID NOT NULL,
    departed_on      DATE NOT NULL,
    year             BIGINT NOT NULL,
    host_country     TEXT NOT NULL,
    host_region      TEXT NOT NULL,
    host_subregion   TEXT NOT NULL,
    return_country   TEXT NOT NULL,
    return_region    TEXT NOT NULL,
    return_subregion TEXT NOT NULL,
    sex              TEXT NOT NULL,
    age_group        TEXT NOT NULL,
    vulnerabilities  BIGINT NOT NULL,
    legal_situation  TEXT NOT NULL,
    programme        UUID NOT NULL,
    office           UUID NOT NULL,
    PRIMARY KEY (case_id, person_id)
);
CREATE INDEX stat_returns_year ON stat_returns (year);
CREATE INDEX stat_returns_departed ON stat_returns (departed_on);

CREATE TABLE stat_interruptions (
    case_id        UUID NOT NULL,
    seq            BIGINT NOT NULL,
    kind           TEXT NOT NULL,
    occurred_on    DATE NOT NULL,
    year           BIGINT NOT NULL,
    stage          TEXT NOT NULL,
    host_country   TEXT NOT NULL,
    return_country TEXT NOT NULL,
    programme      UUID NOT NULL,
    office         UUID NOT NULL,
    PRIMARY KEY (case_id, seq)
);
CREATE INDEX stat_interruptions_year ON stat_interruptions (year);
