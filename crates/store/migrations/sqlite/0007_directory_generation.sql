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
CREATE TRIGGER users_insert_generation AFTER INSERT ON users
BEGIN
    UPDATE directory_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER users_update_generation AFTER UPDATE ON users
BEGIN
    UPDATE directory_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER users_delete_generation AFTER DELETE ON users
BEGIN
    UPDATE directory_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER user_roles_insert_generation AFTER INSERT ON user_roles
BEGIN
    UPDATE directory_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER user_roles_update_generation AFTER UPDATE ON user_roles
BEGIN
    UPDATE directory_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER user_roles_delete_generation AFTER DELETE ON user_roles
BEGIN
    UPDATE directory_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER user_offices_insert_generation AFTER INSERT ON user_offices
BEGIN
    UPDATE directory_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER user_offices_update_generation AFTER UPDATE ON user_offices
BEGIN
    UPDATE directory_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER user_offices_delete_generation AFTER DELETE ON user_offices
BEGIN
    UPDATE directory_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER programmes_insert_generation AFTER INSERT ON programmes
BEGIN
    UPDATE directory_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER programmes_update_generation AFTER UPDATE ON programmes
BEGIN
    UPDATE directory_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER programmes_delete_generation AFTER DELETE ON programmes
BEGIN
    UPDATE directory_generation SET generation = generation + 1 WHERE id = 1;
END;
