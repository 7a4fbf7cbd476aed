-- Follow-ups in a row that did not reach the returnee, per case: the queue of returnees
-- not reached at the last attempt. Filled by the commits that follow and by `homeward rebuild-projections`.

ALTER TABLE case_summaries ADD COLUMN unreached INTEGER NOT NULL DEFAULT 0;
CREATE INDEX case_summaries_unreached ON case_summaries (updated_at) WHERE unreached > 0;
