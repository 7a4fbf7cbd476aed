-- The reintegration options each returnee took up, each in the month it was first taken
-- up (`stats::TakenUp`): what protected readers' "options taken up" count, by month, so
-- that a month once ended never changes. `assistance` is one `AssistanceType::bit`, or
-- `TAKEN_UP_ANY`; `year` is the month's. An upgraded database rebuilds its read models,
-- which fills it from the events.

CREATE TABLE stat_taken_up (
    case_id    UUID NOT NULL,
    person_id  UUID NOT NULL,
    assistance BIGINT NOT NULL,
    month      DATE NOT NULL,
    year       BIGINT NOT NULL,
    PRIMARY KEY (case_id, person_id, assistance)
);
