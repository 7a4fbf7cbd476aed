-- The budget's kept sums by the month their change was recorded in: what each month
-- added, so that the sums as a month ended are those of the months up to it (protected
-- readers read them as the last whole month ended, so that a plan approved today is not
-- told by two readings a day apart). Made again empty: an upgraded database rebuilds its
-- read models, which adds each case's rows month by month from the events.

DROP TABLE budget_totals;
DROP TABLE budget_households;

CREATE TABLE budget_totals (
    line_id           UUID NOT NULL,
    country_of_return TEXT NOT NULL,
    office            UUID NOT NULL,
    month             DATE NOT NULL,
    programme         UUID NOT NULL,
    assistance        TEXT NOT NULL,
    committed         BIGINT NOT NULL,
    disbursed         BIGINT NOT NULL,
    cases             BIGINT NOT NULL,
    people            BIGINT NOT NULL,
    PRIMARY KEY (line_id, country_of_return, office, month)
);
CREATE INDEX budget_totals_by_programme ON budget_totals (programme);

CREATE TABLE budget_households (
    programme UUID NOT NULL,
    kind      TEXT NOT NULL,
    group_key TEXT NOT NULL,
    office    UUID NOT NULL,
    month     DATE NOT NULL,
    cases     BIGINT NOT NULL,
    people    BIGINT NOT NULL,
    PRIMARY KEY (programme, kind, group_key, office, month)
);
