-- The community projects of the report "impact on communities" (issue #25): per case and
-- item of community assistance of its plan in force (`Reintegration::community_projects`),
-- what it commits and what was delivered of it, in minor units of the programme's
-- currency, the people of the community it has reached so far as its latest counted
-- delivery tells them (NULL until one does), and where the case returned to and which
-- offices see it. A pure projection of the events, written by every path that writes
-- statistics rows; an upgraded database rebuilds its read models, which fills it.

CREATE TABLE stat_community (
    case_id         BLOB NOT NULL,
    item_id         BLOB NOT NULL,
    programme       BLOB NOT NULL,
    host_office     BLOB NOT NULL,
    office          BLOB NOT NULL,
    return_country  TEXT NOT NULL,
    committed       INTEGER NOT NULL,
    delivered       INTEGER NOT NULL,
    people_reached  INTEGER,
    PRIMARY KEY (case_id, item_id)
);
CREATE INDEX stat_community_programme ON stat_community (programme);
