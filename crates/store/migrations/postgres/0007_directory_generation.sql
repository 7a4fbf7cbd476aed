-- The directory generation: a number that every change to users, their roles and offices,
-- or programmes raises, in the same transaction as the change (triggers, so that a change
-- made by any process counts: the server, `homeward users`, another server). A request
-- reads it with its session, in the same query; the server keeps users and programme
-- settings in memory for as long as the number it read is the one they were loaded under.
CREATE TABLE directory_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO directory_generation (id, generation) VALUES (1, 0);
CREATE FUNCTION homeward_directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE directory_generation SET generation = generation + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;
CREATE TRIGGER users_generation AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION homeward_directory_changed();
CREATE TRIGGER user_roles_generation AFTER INSERT OR UPDATE OR DELETE ON user_roles
    FOR EACH STATEMENT EXECUTE FUNCTION homeward_directory_changed();
CREATE TRIGGER user_offices_generation AFTER INSERT OR UPDATE OR DELETE ON user_offices
    FOR EACH STATEMENT EXECUTE FUNCTION homeward_directory_changed();
CREATE TRIGGER programmes_generation AFTER INSERT OR UPDATE OR DELETE ON programmes
    FOR EACH STATEMENT EXECUTE FUNCTION homeward_directory_changed();
