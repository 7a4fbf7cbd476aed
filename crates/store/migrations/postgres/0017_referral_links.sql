-- Single-use answer links: an organisation without an account answers a referral through
-- a link that names it. Only the SHA-256 of the link's secret is kept; a link stops
-- working when it expires or once it has been used to answer.
CREATE TABLE referral_links (
    id              UUID PRIMARY KEY,
    secret_hash     TEXT NOT NULL UNIQUE,
    case_id         UUID NOT NULL,
    referral_id     UUID NOT NULL,
    organisation_id UUID NOT NULL,
    created_by      UUID NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    used_at         TIMESTAMPTZ
);
CREATE INDEX referral_links_referral ON referral_links (case_id, referral_id);
