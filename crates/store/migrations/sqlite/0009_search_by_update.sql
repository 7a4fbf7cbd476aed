-- Every case newest first, whatever its office, for a search that finds more than it can
-- gather and sort (a common name alone: thousands of cases at a million): its page is read
-- in the list's order, each case checked against the search, stopping at the page's end.
-- The index carries both offices, so that the scope is checked in it. At a million cases
-- on SQLite, a common name's first page: 0.43 s gathered and sorted, 0.09 s read this way.
CREATE INDEX case_summaries_updated ON case_summaries
    (updated_at DESC, case_id, host_office, return_office);
