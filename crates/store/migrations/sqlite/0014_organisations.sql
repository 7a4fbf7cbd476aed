-- The stakeholder directory: organisations a case can be referred to. `details` is the
-- JSON of the domain's `OrganisationDetails` (countries, services, stages, contact);
-- the directory is small (hundreds of organisations), so it is searched in memory.

CREATE TABLE organisations (
    id          BLOB PRIMARY KEY,
    name        TEXT NOT NULL,
    details     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
