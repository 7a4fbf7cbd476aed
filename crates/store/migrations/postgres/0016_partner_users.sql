-- A partner user belongs to an organisation of the directory and answers the referrals
-- addressed to it (DESIGN.md, roles). Empty for everyone else.
ALTER TABLE users ADD COLUMN organisation_id UUID REFERENCES organisations(id);
CREATE INDEX users_organisation ON users (organisation_id) WHERE organisation_id IS NOT NULL;
