-- The words of each person's names and their sounds (`~` + sound key), for search by
-- word prefix or by sound through an index. Written with the people rows; the first start
-- after this migration fills it from the log.
CREATE TABLE person_tokens (
    token     TEXT NOT NULL,
    person_id BLOB NOT NULL,
    case_id   BLOB NOT NULL REFERENCES case_summaries(case_id) ON DELETE CASCADE,
    PRIMARY KEY (token, person_id)
) WITHOUT ROWID;
CREATE INDEX person_tokens_case ON person_tokens (case_id);
