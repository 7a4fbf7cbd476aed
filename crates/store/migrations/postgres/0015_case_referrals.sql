-- Referrals of cases: one row per referral, where it stands and when its answer is due
-- and escalated (homeward_domain::case::referrals::ReferralRecord::answer_status). Written
-- with each commit; filled for existing cases by `homeward rebuild-projections`. The
-- senders' and programme managers' queues read those still waiting past their time.

CREATE TABLE case_referrals (
    case_id           UUID NOT NULL,
    referral_id       UUID NOT NULL,
    organisation_id   UUID NOT NULL,
    organisation_name TEXT NOT NULL,
    service           TEXT NOT NULL,
    status            TEXT NOT NULL,
    sent_on           DATE NOT NULL,
    answer_due        DATE NOT NULL,
    escalate_on       DATE NOT NULL,
    office            UUID NOT NULL,
    PRIMARY KEY (case_id, referral_id)
);
CREATE INDEX case_referrals_waiting ON case_referrals (answer_due) WHERE status = 'sent';
CREATE INDEX case_referrals_organisation ON case_referrals (organisation_id);
