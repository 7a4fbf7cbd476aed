-- The community projects' kept sums (issue #25), as the budget's (0028) and the survey
-- scores' (0031): for the report "impact on communities" to add up a few rows per
-- country, office and month instead of every project's, and for protected readers to
-- read the sums as the last settled month ended (a delivery recorded today is not told by
-- two readings a day apart). By programme, country of return, both offices that see the
-- cases, and the month the change was recorded in: what that month added. Filled here from
-- `stat_community` as this month's, so that the report reads right even if the rebuild an
-- upgrade runs never finishes; the rebuild then spreads each case's rows over its months.

CREATE TABLE community_totals (
    programme      BLOB NOT NULL,
    return_country TEXT NOT NULL,
    host_office    BLOB NOT NULL,
    office         BLOB NOT NULL,
    month          TEXT NOT NULL,
    projects       INTEGER NOT NULL,
    cases          INTEGER NOT NULL,
    committed      INTEGER NOT NULL,
    delivered      INTEGER NOT NULL,
    people_reached INTEGER NOT NULL,
    told           INTEGER NOT NULL,
    cases_told     INTEGER NOT NULL,
    PRIMARY KEY (programme, return_country, host_office, office, month)
);

INSERT INTO community_totals (programme, return_country, host_office, office, month,
    projects, cases, committed, delivered, people_reached, told, cases_told)
SELECT programme, return_country, host_office, office, date('now', 'start of month'),
    COUNT(*), COUNT(DISTINCT case_id), SUM(committed), SUM(delivered),
    COALESCE(SUM(people_reached), 0), COUNT(people_reached),
    COUNT(DISTINCT CASE WHEN people_reached IS NOT NULL THEN case_id END)
FROM stat_community
GROUP BY programme, return_country, host_office, office;
