-- The reintegration assistance each returned person received, as a mask of assistance
-- types (`AssistanceType::bit`): the statistics' "reintegration options taken up". An
-- upgraded database rebuilds its read models, which fills it from the events.

ALTER TABLE stat_returns ADD COLUMN assistance BIGINT NOT NULL DEFAULT 0;
