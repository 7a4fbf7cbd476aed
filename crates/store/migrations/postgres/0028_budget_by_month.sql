-- The budget's kept sums by the month their change was recorded in: what each month
-- added, so that the sums as a month ended are those of the months up to it (protected
-- readers read them as the last whole month ended, so that a plan approved today is not
-- told by two readings a day apart). Filled here from `case_budget` as this month's,
-- so that the commit guard holds even if the rebuild an upgrade runs never finishes; the
-- rebuild then spreads each case's rows over its months, from the events. A line's
-- rows are kept by the assistance type they were written with: a line retyped keeps
-- what was counted under its old type apart.

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
    PRIMARY KEY (line_id, country_of_return, office, month, assistance)
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

INSERT INTO budget_totals (line_id, country_of_return, office, month, programme, assistance,
    committed, disbursed, cases, people)
SELECT line_id, country_of_return, office, CAST(date_trunc('month', now()) AS DATE), programme, assistance,
    SUM(committed), SUM(disbursed), COUNT(*), SUM(people)
FROM case_budget
GROUP BY line_id, country_of_return, office, programme, assistance;

INSERT INTO budget_households (programme, kind, group_key, office, month, cases, people)
SELECT programme, 'assistance', assistance, office, CAST(date_trunc('month', now()) AS DATE), COUNT(*), SUM(people)
FROM (SELECT DISTINCT case_id, programme, assistance, office, people FROM case_budget) h
GROUP BY programme, assistance, office;

INSERT INTO budget_households (programme, kind, group_key, office, month, cases, people)
SELECT programme, 'country', country_of_return, office, CAST(date_trunc('month', now()) AS DATE), COUNT(*), SUM(people)
FROM (SELECT DISTINCT case_id, programme, country_of_return, office, people FROM case_budget) h
GROUP BY programme, country_of_return, office;
