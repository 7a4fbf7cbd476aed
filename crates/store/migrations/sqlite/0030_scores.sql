-- Survey scores for the programme reports (issue #25): per returned case and follow-up of
-- its schedule (`band`: its months after arrival; 0, the baseline before the first), the
-- last survey answered in its time (`stats::band_scores`), its dimension and composite
-- scores in thousandths (NULL where not scored), the returnee as the reports group them,
-- and both offices that see the case (host and lead). A pure projection of the events: a commit and a
-- rebuild write the same rows. An upgraded database rebuilds its read models, which
-- fills it.

CREATE TABLE stat_scores (
    case_id         BLOB NOT NULL,
    band            INTEGER NOT NULL,
    answered_on     TEXT NOT NULL,
    survey_key      TEXT NOT NULL,
    survey_version  INTEGER NOT NULL,
    economic        INTEGER,
    social          INTEGER,
    psychosocial    INTEGER,
    composite       INTEGER,
    return_country  TEXT NOT NULL,
    sex             TEXT NOT NULL,
    age_group       TEXT NOT NULL,
    vulnerabilities INTEGER NOT NULL,
    programme       BLOB NOT NULL,
    host_office     BLOB NOT NULL,
    office          BLOB NOT NULL,
    PRIMARY KEY (case_id, band)
);
CREATE INDEX stat_scores_programme ON stat_scores (programme, survey_key, survey_version, band);
