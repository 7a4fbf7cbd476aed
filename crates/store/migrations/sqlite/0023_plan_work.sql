-- What a case's reintegration plan waits for (`Case::plan_work`: to draft, the returnee's
-- answer, a second person's approval), for the reintegration officer's and the
-- approver's work queues. Filled by the commits that follow; for the cases already
-- stored, `Store::migrate` rebuilds the read models after applying it.

ALTER TABLE case_summaries ADD COLUMN plan_work TEXT;
CREATE INDEX case_summaries_plan_work ON case_summaries (plan_work, updated_at)
    WHERE plan_work IS NOT NULL;
