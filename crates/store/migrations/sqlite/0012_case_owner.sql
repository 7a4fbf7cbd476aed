-- The caseworker who owns a case: lists filter "my cases", the home page shows them
-- first. Filled by the commits that follow and by a rebuild (`homeward rebuild-projections`) for the
-- cases already stored.

ALTER TABLE case_summaries ADD COLUMN owner BLOB;
CREATE INDEX case_summaries_owner ON case_summaries (owner, updated_at);
