-- The reintegration options each returnee took up, by the month they were first taken up
-- in (`stats::TakenUp`): what protected readers' "options taken up" count, by month, so
-- that a month once ended never changes. `assistance` is a mask of `AssistanceType::bit`;
-- `year` is the month's. An upgraded database rebuilds its read models, which fills it
-- from the events.

CREATE TABLE stat_taken_up (
    case_id    BLOB NOT NULL,
    person_id  BLOB NOT NULL,
    month      TEXT NOT NULL,
    assistance INTEGER NOT NULL,
    year       INTEGER NOT NULL,
    PRIMARY KEY (case_id, person_id, month)
);
