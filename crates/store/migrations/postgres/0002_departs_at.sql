-- When the booked itinerary's first flight leaves: the "departures this week" queue.
-- Existing rows are filled by `homeward rebuild-projections`.
ALTER TABLE case_summaries ADD COLUMN departs_at TIMESTAMPTZ;
CREATE INDEX case_summaries_departs ON case_summaries (departs_at);
