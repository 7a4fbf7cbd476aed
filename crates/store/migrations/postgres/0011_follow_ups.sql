-- Scheduled follow-ups of returned cases: one row per follow-up of a case's schedule,
-- with the day it was held (if it was). Written with each commit; rebuilt from the log.
-- The work queues read those not held whose time has come; the reports, which were held
-- on time.

CREATE TABLE stat_follow_ups (
    case_id        UUID NOT NULL,
    number         BIGINT NOT NULL,
    due_on         DATE NOT NULL,
    opens_on       DATE NOT NULL,
    closes_on      DATE NOT NULL,
    missed_from    DATE,
    held_on        DATE,
    programme      UUID NOT NULL,
    office         UUID NOT NULL,
    return_country TEXT NOT NULL,
    PRIMARY KEY (case_id, number)
);
CREATE INDEX stat_follow_ups_waiting ON stat_follow_ups (opens_on) WHERE held_on IS NULL;
