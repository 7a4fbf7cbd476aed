-- The time zone each office works in (an IANA name, `Africa/Dakar`): its staff enter and
-- read times in it. Offices stored before are in UTC until an administrator sets theirs.
-- A change to an office raises the directory generation (migration 0007), so that servers
-- keeping office time zones in memory read them again.
ALTER TABLE offices ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
CREATE TRIGGER offices_generation AFTER INSERT OR UPDATE OR DELETE ON offices
    FOR EACH STATEMENT EXECUTE FUNCTION homeward_directory_changed();
