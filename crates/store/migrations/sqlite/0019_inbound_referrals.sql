-- Inbound referrals: people an outside organisation refers to the programme, waiting at
-- an office until they are registered as a case or declined. `record` is the JSON of the
-- domain's `InboundReferral`; the other columns are what lists filter and sort by. A case
-- is registered from one referral at most.
CREATE TABLE inbound_referrals (
    id              BLOB PRIMARY KEY,
    organisation_id BLOB NOT NULL,
    office_id       BLOB NOT NULL,
    status          TEXT NOT NULL,
    urgent          INTEGER NOT NULL,
    submitted_at    TEXT NOT NULL,
    decided_at      TEXT,
    case_id         BLOB UNIQUE,
    record          TEXT NOT NULL
);
CREATE INDEX inbound_referrals_office ON inbound_referrals (office_id, status, submitted_at);
CREATE INDEX inbound_referrals_organisation ON inbound_referrals (organisation_id, submitted_at);
