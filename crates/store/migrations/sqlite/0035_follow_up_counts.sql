-- The scheduled follow-ups' kept counts (issue #25), for the performance report to add
-- up a few rows per day of the schedule, office and status instead of scanning every
-- case's slots joined to its case (834 ms at 100,000 cases; they grow with the days of
-- arrival, not with cases). A slot not held is kept by the dates its status is read from
-- (`SlotStatus::of`), a held one by whether it was on time alone; a row per case
-- (`number` 0) tells when it is first to be reached, or that it was. 9999-12-31 stands
-- for a date that does not matter (`rows::follow_ups::NEVER`). Filled here from the rows
-- as they stand; commits, bulk loads and rebuilds keep them (`rows::follow_ups`).

CREATE TABLE follow_up_totals (
    programme   BLOB NOT NULL,
    host_office BLOB NOT NULL,
    office      BLOB NOT NULL,
    number      INTEGER NOT NULL,
    opens_on    TEXT NOT NULL,
    closes_on   TEXT NOT NULL,
    missed_from TEXT NOT NULL,
    held        INTEGER NOT NULL,
    followed    INTEGER NOT NULL,
    slots       INTEGER NOT NULL,
    PRIMARY KEY (programme, host_office, office, number, opens_on, closes_on, missed_from,
        held, followed)
);

INSERT INTO follow_up_totals (programme, host_office, office, number, opens_on, closes_on,
    missed_from, held, followed, slots)
SELECT programme, host_office, office, number, opens_on, closes_on, missed_from, held,
    followed, COUNT(*)
FROM (
    SELECT f.programme, cs.host_office, f.office, f.number,
        CASE WHEN f.held_on IS NULL THEN f.opens_on ELSE '9999-12-31' END AS opens_on,
        CASE WHEN f.held_on IS NULL THEN f.closes_on ELSE '9999-12-31' END AS closes_on,
        CASE WHEN f.held_on IS NULL THEN COALESCE(f.missed_from, '9999-12-31')
            ELSE '9999-12-31' END AS missed_from,
        CASE WHEN f.held_on IS NULL THEN 0 WHEN f.held_on <= f.closes_on THEN 1 ELSE 2 END
            AS held,
        CASE WHEN cs.stage IN ('arrived', 'reintegration', 'monitoring') THEN 1 ELSE 0 END
            AS followed
    FROM stat_follow_ups f JOIN case_summaries cs ON cs.case_id = f.case_id
    UNION ALL
    SELECT f.programme, cs.host_office, f.office, 0,
        CASE WHEN COUNT(f.held_on) > 0 THEN '9999-12-31' ELSE MIN(f.opens_on) END,
        CASE WHEN COUNT(f.held_on) > 0 THEN '9999-12-31' ELSE MIN(f.closes_on) END,
        '9999-12-31',
        CASE WHEN COUNT(f.held_on) > 0 THEN 1 ELSE 0 END,
        CASE WHEN cs.stage IN ('arrived', 'reintegration', 'monitoring') THEN 1 ELSE 0 END
    FROM stat_follow_ups f JOIN case_summaries cs ON cs.case_id = f.case_id
    GROUP BY f.case_id, f.programme, cs.host_office, f.office, cs.stage
) slots
GROUP BY programme, host_office, office, number, opens_on, closes_on, missed_from, held,
    followed;
