-- Scheduled follow-ups of returned cases: one row per follow-up of a case's schedule,
-- with the day it was held (if it was). Written with each commit; rebuilt from the log.
-- The work queues read those not held whose time has come; the reports, which were held
-- on time.

CREATE TABLE stat_follow_ups (
    case_id        BLOB NOT NULL,
    number         INTEGER NOT NULL,
    due_on         TEXT NOT NULL,
    opens_on       TEXT NOT NULL,
    closes_on      TEXT NOT NULL,
    missed_from    TEXT,
    held_on        TEXT,
    programme      BLOB NOT NULL,
    office         BLOB NOT NULL,
    return_country TEXT NOT NULL,
    PRIMARY KEY (case_id, number)
);
CREATE INDEX stat_follow_ups_waiting ON stat_follow_ups (opens_on) WHERE held_on IS NULL;
