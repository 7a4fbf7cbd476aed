-- What each case's plan in force commits and its deliveries disburse on each budget line
-- of the programme's grants (`BudgetRow`), and its sums, kept with each commit
-- (`budget_totals` by line, country and office; `budget_households` each household once
-- per assistance type, and per country): the programme's budget page reads the sums, and a
-- commit that takes a line higher is checked against them, in its transaction, under the
-- single writer. Filled by the commits that follow; for the cases already stored,
-- `Store::migrate` rebuilds the read models after applying it.

CREATE TABLE case_budget (
    case_id           BLOB NOT NULL,
    line_id           BLOB NOT NULL,
    assistance        TEXT NOT NULL,
    programme         BLOB NOT NULL,
    office            BLOB NOT NULL,
    country_of_return TEXT NOT NULL,
    committed         INTEGER NOT NULL,
    disbursed         INTEGER NOT NULL,
    people            INTEGER NOT NULL,
    PRIMARY KEY (case_id, line_id)
);

CREATE TABLE budget_totals (
    line_id           BLOB NOT NULL,
    country_of_return TEXT NOT NULL,
    office            BLOB NOT NULL,
    programme         BLOB NOT NULL,
    assistance        TEXT NOT NULL,
    committed         INTEGER NOT NULL,
    disbursed         INTEGER NOT NULL,
    cases             INTEGER NOT NULL,
    people            INTEGER NOT NULL,
    PRIMARY KEY (line_id, country_of_return, office)
);
CREATE INDEX budget_totals_by_programme ON budget_totals (programme);

CREATE TABLE budget_households (
    programme BLOB NOT NULL,
    kind      TEXT NOT NULL,
    group_key TEXT NOT NULL,
    office    BLOB NOT NULL,
    cases     INTEGER NOT NULL,
    people    INTEGER NOT NULL,
    PRIMARY KEY (programme, kind, group_key, office)
);
