-- The scheduled follow-ups' kept counts by the month each change was recorded in (issue
-- #25), for the performance report read protected (donors, auditors, administrators):
-- the counts as a settled month ended are the sums of the months up to it, each row's
-- status read on that month's last day, as `follow_up_totals` (the counts as they
-- stand) is read today. The same keys, with the month (its first day). Left empty here:
-- a migration rebuilds the read models, which adds every case's counts as each of its
-- months ended (`projection::kept_history`); commits add their change to their month.

CREATE TABLE follow_up_months (
    programme   BLOB NOT NULL,
    month       TEXT NOT NULL,
    host_office BLOB NOT NULL,
    office      BLOB NOT NULL,
    number      INTEGER NOT NULL,
    opens_on    TEXT NOT NULL,
    closes_on   TEXT NOT NULL,
    missed_from TEXT NOT NULL,
    held        INTEGER NOT NULL,
    followed    INTEGER NOT NULL,
    slots       INTEGER NOT NULL,
    PRIMARY KEY (programme, month, host_office, office, number, opens_on, closes_on,
        missed_from, held, followed)
);
