-- Words were split wherever transliteration wrote an apostrophe (Georgian ძ as "z'",
-- Cyrillic ь as "'"), leaving fragments such as a lone "e" that sounded like "Awa".
-- Emptied here: `Store::migrate` finds people without words and rebuilds the read models.
TRUNCATE person_tokens;
