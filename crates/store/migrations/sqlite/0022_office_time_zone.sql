-- The time zone each office works in (an IANA name, `Africa/Dakar`): its staff enter and
-- read times in it. Offices stored before are in UTC until an administrator sets theirs.
-- A change to an office raises the directory generation (migration 0007), so that servers
-- keeping office time zones in memory read them again.
ALTER TABLE offices ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
CREATE TRIGGER offices_insert_generation AFTER INSERT ON offices
BEGIN
    UPDATE directory_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER offices_update_generation AFTER UPDATE ON offices
BEGIN
    UPDATE directory_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER offices_delete_generation AFTER DELETE ON offices
BEGIN
    UPDATE directory_generation SET generation = generation + 1 WHERE id = 1;
END;
