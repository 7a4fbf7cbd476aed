-- The exceptions the plan version awaiting approval asks its approver to accept (above
-- the cap, beyond a budget line: `PlanException::bit`), shown in the approver's queue.
-- Filled by the commits that follow; for the cases already stored, `Store::migrate`
-- rebuilds the read models after applying it.

ALTER TABLE case_summaries ADD COLUMN plan_exceptions BIGINT NOT NULL DEFAULT 0;
