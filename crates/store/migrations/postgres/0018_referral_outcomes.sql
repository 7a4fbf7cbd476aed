-- How each referral ended, or stands (`ReferralRecord::outcome`), and the days its
-- organisation took to answer (`days_to_answer`): the referral figures. Filled by the
-- commits that follow and by `homeward rebuild-projections`.
ALTER TABLE case_referrals ADD COLUMN outcome TEXT NOT NULL DEFAULT 'waiting';
ALTER TABLE case_referrals ADD COLUMN days_to_answer BIGINT;
CREATE INDEX case_referrals_sent ON case_referrals (sent_on);
