-- The impact report's share of returnees at or above their survey version's threshold of
-- sustainability, and its groupings by vulnerability and by assistance received (issue
-- #25). Each score row says whether its composite reaches the threshold its version set
-- (NULL: no threshold, or no composite) and the assistance the returnee had received as
-- it was written (`Reintegration::received_by`); the kept sums count those at or above
-- it. New groupings (`kind`: vulnerability, assistance) are rows of the same table, a
-- returnee in a row per vulnerability (or type received), in `any` and in `none`.
-- Filled by the rebuild an upgrade runs.

ALTER TABLE stat_scores ADD COLUMN sustainable BOOLEAN;
ALTER TABLE stat_scores ADD COLUMN assistance BIGINT NOT NULL DEFAULT 0;
ALTER TABLE score_totals ADD COLUMN sustainable_n BIGINT NOT NULL DEFAULT 0;
