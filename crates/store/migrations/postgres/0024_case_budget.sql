-- What each case's plan in force commits and its deliveries disburse on each budget line
-- of the programme's grants (`BudgetRow`): the programme's budget page sums it, and a
-- commit that takes a line higher is checked against it, in its transaction, under the
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
CREATE INDEX case_budget_by_line ON case_budget (line_id, committed, disbursed);
CREATE INDEX case_budget_by_programme ON case_budget (programme, line_id);
