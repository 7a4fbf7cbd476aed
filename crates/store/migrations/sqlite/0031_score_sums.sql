-- The survey scores' kept sums (issue #25), as the budget's (0028): for the impact report
-- to add up a few rows per group, office and month instead of every returnee's, and for
-- protected readers to read the sums as the last settled month ended (a survey recorded
-- today is not told by two readings a day apart). By programme, survey version, band of
-- time since return, grouping (`kind`: nothing, return_country, sex, age_group) and its
-- group, both offices that see the cases, and the month the change was recorded in: what
-- that month added. Filled by the rebuild an upgrade runs, from the events, month by month.

CREATE TABLE score_totals (
    programme         BLOB NOT NULL,
    kind              TEXT NOT NULL,
    survey_key        TEXT NOT NULL,
    survey_version    INTEGER NOT NULL,
    band              INTEGER NOT NULL,
    grp               TEXT NOT NULL,
    host_office       BLOB NOT NULL,
    office            BLOB NOT NULL,
    month             TEXT NOT NULL,
    returnees         INTEGER NOT NULL,
    economic_n        INTEGER NOT NULL,
    economic_sum      INTEGER NOT NULL,
    social_n          INTEGER NOT NULL,
    social_sum        INTEGER NOT NULL,
    psychosocial_n    INTEGER NOT NULL,
    psychosocial_sum  INTEGER NOT NULL,
    composite_n       INTEGER NOT NULL,
    composite_sum     INTEGER NOT NULL,
    PRIMARY KEY (programme, kind, survey_key, survey_version, band, grp, host_office, office, month)
);
