-- A search by name and date of birth starts from the few people born that day and checks
-- each one's words: by person, through this index, instead of collecting every person
-- whose name sounds alike (thousands for a common name) and intersecting.
CREATE INDEX person_tokens_person ON person_tokens (person_id, token);
