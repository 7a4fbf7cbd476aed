-- Whether each return departed from a country of transit of its programme, as decided at
-- departure (`DepartureConfirmed`, schema version 2). Departures confirmed before they were
-- told apart have none (''), which is also what `homeward rebuild-projections` gives them.

ALTER TABLE stat_returns ADD COLUMN host_or_transit TEXT NOT NULL DEFAULT '';
