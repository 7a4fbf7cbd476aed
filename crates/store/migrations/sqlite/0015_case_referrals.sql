-- Referrals of cases: one row per referral, where it stands and when its answer is due
-- and escalated (homeward_domain::case::referrals::ReferralRecord::answer_status). Written
-- with each commit; filled for existing cases by `homeward rebuild-projections`. The
-- senders' and programme managers' queues read those still waiting past their time.

CREATE TABLE case_referrals (
    case_id           BLOB NOT NULL,
    referral_id       BLOB NOT NULL,
    organisation_id   BLOB NOT NULL,
    organisation_name TEXT NOT NULL,
    service           TEXT NOT NULL,
    status            TEXT NOT NULL,
    sent_on           TEXT NOT NULL,
    answer_due        TEXT NOT NULL,
    escalate_on       TEXT NOT NULL,
    office            BLOB NOT NULL,
    PRIMARY KEY (case_id, referral_id)
);
CREATE INDEX case_referrals_waiting ON case_referrals (answer_due) WHERE status = 'sent';
CREATE INDEX case_referrals_organisation ON case_referrals (organisation_id);
