-- Single-use answer links: an organisation without an account answers a referral through
-- a link that names it. Only the SHA-256 of the link's secret is kept; a link stops
-- working when it expires or once it has been used to answer.
CREATE TABLE referral_links (
    id              BLOB PRIMARY KEY,
    secret_hash     TEXT NOT NULL UNIQUE,
    case_id         BLOB NOT NULL,
    referral_id     BLOB NOT NULL,
    organisation_id BLOB NOT NULL,
    created_by      BLOB NOT NULL,
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    used_at         TEXT
);
CREATE INDEX referral_links_referral ON referral_links (case_id, referral_id);
