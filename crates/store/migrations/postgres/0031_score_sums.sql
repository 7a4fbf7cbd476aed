-- The survey scores' kept sums (issue #25), as the budget's (0028): for the impact report
-- to add up a few rows per group, office and month instead of every returnee's, and for
-- protected readers to read the sums as the last settled month ended (a survey recorded
-- today is not told by two readings a day apart). By programme, survey version, band of
-- time since return, grouping (`kind`: nothing, return_country, sex, age_group) and its
-- group, both offices that see the cases, and the month the change was recorded in: what
-- that month added. Filled by the rebuild an upgrade runs, from the events, month by month.

CREATE TABLE score_totals (
    programme         UUID NOT NULL,
    kind              TEXT NOT NULL,
    survey_key        TEXT NOT NULL,
    survey_version    BIGINT NOT NULL,
    band              BIGINT NOT NULL,
    grp               TEXT NOT NULL,
    host_office       UUID NOT NULL,
    office            UUID NOT NULL,
    month             DATE NOT NULL,
    returnees         BIGINT NOT NULL,
    economic_n        BIGINT NOT NULL,
    economic_sum      BIGINT NOT NULL,
    social_n          BIGINT NOT NULL,
    social_sum        BIGINT NOT NULL,
    psychosocial_n    BIGINT NOT NULL,
    psychosocial_sum  BIGINT NOT NULL,
    composite_n       BIGINT NOT NULL,
    composite_sum     BIGINT NOT NULL,
    PRIMARY KEY (programme, kind, survey_key, survey_version, band, grp, host_office, office, month)
);
