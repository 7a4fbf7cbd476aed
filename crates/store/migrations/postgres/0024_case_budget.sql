-- What each case's plan in force commits and its deliveries disburse on each budget line
-- of the programme's grants (`BudgetRow`), and its sums, kept with each commit
-- (`budget_totals` by line, country and office; `budget_households` each household once
-- per assistance type, and per country): the programme's budget page reads the sums, and a
-- commit that takes a line higher is checked against them, in its transaction, under the
-- commit lock. Filled by the commits that follow; for the cases already stored,
-- `Store::migrate` rebuilds the read models after applying it.

CREATE TABLE case_budget (
    case_id           UUID NOT NULL,
    line_id           UUID NOT NULL,
    assistance        TEXT NOT NULL,
    programme         UUID NOT NULL,
    office            UUID NOT NULL,
    country_of_return TEXT NOT NULL,
    committed         BIGINT NOT NULL,
    disbursed         BIGINT NOT NULL,
    people            BIGINT NOT NULL,
    PRIMARY KEY (case_id, line_id)
);

CREATE TABLE budget_totals (
    line_id           UUID NOT NULL,
    country_of_return TEXT NOT NULL,
    office            UUID NOT NULL,
    programme         UUID NOT NULL,
    assistance        TEXT NOT NULL,
    committed         BIGINT NOT NULL,
    disbursed         BIGINT NOT NULL,
    cases             BIGINT NOT NULL,
    people            BIGINT NOT NULL,
    PRIMARY KEY (line_id, country_of_return, office)
);
CREATE INDEX budget_totals_by_programme ON budget_totals (programme);

CREATE TABLE budget_households (
    programme UUID NOT NULL,
    kind      TEXT NOT NULL,
    group_key TEXT NOT NULL,
    office    UUID NOT NULL,
    cases     BIGINT NOT NULL,
    people    BIGINT NOT NULL,
    PRIMARY KEY (programme, kind, group_key, office)
);
