-- The case list without a search or a stage, newest first: each office's cases, on either
-- side, in the order the list shows them, so that a page is the first rows of a few ordered
-- reads (one per office in scope and side) merged, instead of every case in scope gathered
-- and sorted. Each index carries the other side's office, so that the scope and an office
-- filter are checked in the index. At a million cases on SQLite the counsellor's first page
-- went from seconds (every case sorted) to milliseconds (bench/report.md).
DROP INDEX case_summaries_host;
DROP INDEX case_summaries_return;
CREATE INDEX case_summaries_host_updated ON case_summaries
    (host_office, updated_at DESC, case_id, return_office);
CREATE INDEX case_summaries_return_updated ON case_summaries
    (return_office, updated_at DESC, case_id, host_office);
