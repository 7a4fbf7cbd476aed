-- The reintegration options each returnee took up, by the month they were first taken up
-- in (`stats::TakenUp`): what protected readers' "options taken up" count, by month, so
-- that a month once ended never changes. A row is a month of a returnee, in the columns
-- of `stat_returns`: `departed_on` holds the month's first day and `year` its year,
-- `assistance` the options first taken up in it (a mask of `AssistanceType::bit`), the
-- rest the returnee as the first such month ended. An upgraded database rebuilds its read
-- models, which fills it from the events.

CREATE TABLE stat_taken_up (
    case_id          BLOB NOT NULL,
    person_id        BLOB NOT NULL,
    departed_on      TEXT NOT NULL,
    year             INTEGER NOT NULL,
    host_country     TEXT NOT NULL,
    host_region      TEXT NOT NULL,
    host_subregion   TEXT NOT NULL,
    return_country   TEXT NOT NULL,
    return_region    TEXT NOT NULL,
    return_subregion TEXT NOT NULL,
    sex              TEXT NOT NULL,
    age_group        TEXT NOT NULL,
    vulnerabilities  INTEGER NOT NULL,
    legal_situation  TEXT NOT NULL,
    programme        BLOB NOT NULL,
    office           BLOB NOT NULL,
    host_or_transit  TEXT NOT NULL,
    assistance       INTEGER NOT NULL,
    PRIMARY KEY (case_id, person_id, departed_on)
);
CREATE INDEX stat_taken_up_month ON stat_taken_up (departed_on);
