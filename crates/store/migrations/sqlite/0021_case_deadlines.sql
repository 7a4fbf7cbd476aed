-- Two deadlines of a case the office's "due and overdue" view lists by day: the soonest due
-- day of the reintegration plan's items still to deliver, and the day someone's last travel
-- document runs out before the booked flight (both as the domain computes them:
-- `Reintegration::items_due`, `guard::travel_document_expires_before_flight`). Filled by the
-- commits that follow and by a rebuild (`homeward rebuild-projections`) for the cases
-- already stored.

ALTER TABLE case_summaries ADD COLUMN items_due_on TEXT;
ALTER TABLE case_summaries ADD COLUMN documents_expire_on TEXT;
CREATE INDEX case_summaries_items_due ON case_summaries (items_due_on)
    WHERE items_due_on IS NOT NULL;
CREATE INDEX case_summaries_documents_expire ON case_summaries (documents_expire_on)
    WHERE documents_expire_on IS NOT NULL;
