-- The words of each person's names and their sounds (`~` + sound key), for search by
-- word prefix or by sound through an index (byte order, so that a prefix is a range).
-- Written with the people rows; the first start after this migration fills it from the log.
CREATE TABLE person_tokens (
    token     TEXT COLLATE "C" NOT NULL,
    person_id UUID NOT NULL,
    case_id   UUID NOT NULL REFERENCES case_summaries(case_id) ON DELETE CASCADE,
    PRIMARY KEY (token, person_id)
);
CREATE INDEX person_tokens_case ON person_tokens (case_id);
CREATE INDEX case_summaries_reference_bytes ON case_summaries (reference COLLATE "C");
