-- What each case's plan in force commits and its deliveries disburse on each budget line
-- of the programme's grants (`BudgetRow`): the programme's budget page sums it, and a
-- commit that takes a line higher is checked against it, in its transaction, under the
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
CREATE INDEX case_budget_by_line ON case_budget (line_id, committed, disbursed);
CREATE INDEX case_budget_by_programme ON case_budget (programme, line_id);
