"""PostgreSQL's page-write statements, as named constants of bound parameters only.

Each takes a page's rows as one JSON document (jsonb_to_recordset): one constant statement the server
prepares once and one json.dumps per page on the client, where a multi-row VALUES list would be new SQL text
for every page size. Their semantics are those of the generic writes (db/writes_*.py); the lock order is
the one db/writes.py states. None is assembled with string formatting: the two statements that share the
films-people-changes steps are that constant followed by their own text.
"""

from __future__ import annotations

from sqlalchemy import text

NEW_LINKS = text("""
    INSERT INTO festival_nomination_people (nomination_id, person_id, role, position)
    SELECT u.nomination_id, u.person_id, u.role, u.position
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS u(nomination_id int, person_id int, role text, position int)
    ON CONFLICT (nomination_id, person_id, role) DO NOTHING""")

CANONICAL_SOURCES = text("""
    INSERT INTO canonical_sources (movie_id, list_id, position, notes, award_name, award_year, award_won, last_seen_at)
    SELECT u.movie_id, u.list_id, u.position, u.notes, u.award_name, u.award_year, u.award_won, :now
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS u(movie_id int, list_id int, position int, notes text,
         award_name text, award_year int, award_won bool)
    ON CONFLICT (movie_id, list_id) DO UPDATE SET
        position = EXCLUDED.position, notes = EXCLUDED.notes, award_name = EXCLUDED.award_name,
        award_year = EXCLUDED.award_year, award_won = EXCLUDED.award_won, last_seen_at = EXCLUDED.last_seen_at""")

# A page's films and people in one statement. Missing ones are inserted; stored ones the page knows more about
# are updated (a value the page lacks never erases one; rows locked in key order, FOR NO KEY UPDATE so that
# other pages referencing them are not held up); the page's change records are inserted alongside. Each row
# comes back once with its id (the stored ones are read at the statement's start, so they never include its
# own inserts). A row another transaction inserts meanwhile comes back in neither part and is read afterwards.
# Every transaction goes through the same steps in the same order: films inserted, people inserted, films
# updated, people updated. Stored rows are found by one index probe per page row (LATERAL … OFFSET 0), never
# by scanning the table, however small the planner believes it to be.
FILMS_PEOPLE_AND_CHANGES_STEPS = """
    WITH mu AS (SELECT * FROM jsonb_to_recordset(CAST(:films AS jsonb))
                AS u(imdb_id text, title text, original_title text, year int, title_type text)),
    ms AS (
        SELECT mu.*, m.id AS movie_id, m.title AS s_title, m.original_title AS s_original_title, m.year AS s_year,
               m.title_type AS s_title_type
        FROM mu CROSS JOIN LATERAL (SELECT m.id, m.title, m.original_title, m.year, m.title_type FROM movies m
                                    WHERE m.imdb_id = mu.imdb_id OFFSET 0) m),
    mins AS (
        INSERT INTO movies (imdb_id, title, original_title, year, title_type, updated_at)
        SELECT mu.imdb_id, mu.title, mu.original_title, mu.year, mu.title_type, :now FROM mu
        WHERE NOT EXISTS (SELECT 1 FROM ms WHERE ms.imdb_id = mu.imdb_id)
        ORDER BY mu.imdb_id
        ON CONFLICT (imdb_id) DO NOTHING
        RETURNING imdb_id, id),
    mlock AS (
        SELECT d.movie_id, d.title, d.original_title, d.year, d.title_type
        FROM (SELECT * FROM ms
              WHERE (title IS NOT NULL AND title IS DISTINCT FROM s_title)
                 OR (original_title IS NOT NULL AND original_title IS DISTINCT FROM s_original_title)
                 OR (year IS NOT NULL AND year IS DISTINCT FROM s_year)
                 OR (title_type IS NOT NULL AND title_type IS DISTINCT FROM s_title_type)
              ORDER BY imdb_id) d
        CROSS JOIN LATERAL (SELECT 1 FROM movies m WHERE m.id = d.movie_id FOR NO KEY UPDATE) l),
    mupd AS (
        UPDATE movies m SET title = coalesce(l.title, m.title), original_title = coalesce(l.original_title, m.original_title),
               year = coalesce(l.year, m.year), title_type = coalesce(l.title_type, m.title_type), updated_at = :now
        FROM mlock l WHERE m.id = l.movie_id AND m.id = ANY(ARRAY(SELECT movie_id FROM mlock)) RETURNING m.id),
    pu AS (SELECT * FROM jsonb_to_recordset(CAST(:people AS jsonb)) AS u(imdb_id text, name text)),
    ps AS (
        SELECT pu.imdb_id, pu.name, p.id AS person_id, p.name AS s_name
        FROM pu CROSS JOIN LATERAL (SELECT p.id, p.name FROM people p WHERE p.imdb_id = pu.imdb_id OFFSET 0) p),
    pins AS (
        INSERT INTO people (imdb_id, name, updated_at)
        SELECT pu.imdb_id, pu.name, :now FROM pu
        WHERE NOT EXISTS (SELECT 1 FROM ps WHERE ps.imdb_id = pu.imdb_id)
        ORDER BY pu.imdb_id
        ON CONFLICT (imdb_id) DO NOTHING
        RETURNING imdb_id, id),
    plock AS (
        SELECT d.person_id, d.name
        FROM (SELECT * FROM ps WHERE name IS NOT NULL AND name IS DISTINCT FROM s_name ORDER BY imdb_id) d
        CROSS JOIN LATERAL (SELECT 1 FROM people p WHERE p.id = d.person_id FOR NO KEY UPDATE) l),
    pupd AS (
        UPDATE people p SET name = l.name, updated_at = :now
        FROM plock l WHERE p.id = l.person_id AND p.id = ANY(ARRAY(SELECT person_id FROM plock)) RETURNING p.id),
    ch AS (
        INSERT INTO import_changes (run_id, change, imdb_id, award, category, nominee, position, fields)
        SELECT CAST(:run AS int), c.change, c.imdb_id, c.award, c.category, c.nominee, c.position, c.fields
        FROM jsonb_to_recordset(CAST(:changes AS jsonb)) AS c(change text, imdb_id text, award text, category text,
             nominee text, position int, fields jsonb)
        RETURNING id)"""

FILMS_PEOPLE_AND_CHANGES = text(FILMS_PEOPLE_AND_CHANGES_STEPS + """
    SELECT true, imdb_id, id FROM mins
    UNION ALL
    SELECT true, imdb_id, movie_id FROM ms
    UNION ALL
    SELECT false, imdb_id, id FROM pins
    UNION ALL
    SELECT false, imdb_id, person_id FROM ps""")

INSERT_CHANGES = text("""
    INSERT INTO import_changes (run_id, change, imdb_id, award, category, nominee, position, fields)
    SELECT :run, u.change, u.imdb_id, u.award, u.category, u.nominee, u.position, u.fields
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS u(change text, imdb_id text, award text, category text,
         nominee text, position int, fields jsonb)""")

# The page's fingerprint saved, the ceremony read as it was and upserted, in one statement.
WRITE_CEREMONY = text("""
    WITH fp AS (
        INSERT INTO page_fingerprints (list_id, page, fingerprint, stored_at)
        SELECT CAST(:f_list AS int), CAST(:f_page AS int), CAST(:f_value AS text), :c_last_seen_at
        WHERE CAST(:f_value AS text) IS NOT NULL
        ON CONFLICT (list_id, page) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, stored_at = EXCLUDED.stored_at),
    old AS (SELECT id, last_seen_at FROM festival_ceremonies
            WHERE organization_id = :c_organization_id AND year = :c_year AND instance = :c_instance),
    up AS (
        INSERT INTO festival_ceremonies (organization_id, list_id, year, instance, name, source_url, imdb_edition_id,
                                         date, location, last_seen_at)
        VALUES (:c_organization_id, :c_list_id, :c_year, :c_instance, CAST(:c_name AS text),
                CAST(:c_source_url AS text), CAST(:c_imdb_edition_id AS text), CAST(:c_date AS date),
                CAST(:c_location AS text), :c_last_seen_at)
        ON CONFLICT (organization_id, year, instance) DO UPDATE SET
            name = coalesce(EXCLUDED.name, festival_ceremonies.name), source_url = EXCLUDED.source_url,
            list_id = EXCLUDED.list_id,
            imdb_edition_id = coalesce(EXCLUDED.imdb_edition_id, festival_ceremonies.imdb_edition_id),
            date = coalesce(EXCLUDED.date, festival_ceremonies.date),
            location = coalesce(EXCLUDED.location, festival_ceremonies.location),
            last_seen_at = EXCLUDED.last_seen_at
        RETURNING id)
    SELECT up.id, old.id IS NOT NULL, old.last_seen_at FROM up LEFT JOIN old ON true""")

# The two nomination inserts (a page's, a first-time edition's) differ only in where a row's film comes from.
INSERT_NOMINATIONS = """
        INSERT INTO festival_nominations
            (ceremony_id, category_id, movie_id, nominee_key, award_name, won, notes, nominee_type,
             imdb_nomination_id, details, last_seen_at)"""
NOMINATIONS_UPSERTED = """
        ORDER BY u.category_id, u.nominee_key
        ON CONFLICT (ceremony_id, category_id, nominee_key) DO UPDATE SET
            movie_id = EXCLUDED.movie_id, award_name = EXCLUDED.award_name, won = EXCLUDED.won,
            notes = EXCLUDED.notes, nominee_type = EXCLUDED.nominee_type,
            imdb_nomination_id = EXCLUDED.imdb_nomination_id, details = EXCLUDED.details,
            last_seen_at = EXCLUDED.last_seen_at
        RETURNING category_id, nominee_key, id"""

# A page's nominations (a nomination key stored before is updated).
NOMINATIONS = text(INSERT_NOMINATIONS + """
        SELECT u.ceremony_id, u.category_id, u.movie_id, u.nominee_key, u.award_name, u.won, u.notes,
               u.nominee_type, u.imdb_nomination_id, u.details, :now
        FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS u(ceremony_id int, category_id int, movie_id int, nominee_key text, award_name text, won bool,
                        notes text, nominee_type text, imdb_nomination_id text, details jsonb)""" + NOMINATIONS_UPSERTED)

# A first-time edition's page in one statement: its films, people and change records as in
# FILMS_PEOPLE_AND_CHANGES, then its nominations (their film found by imdb id among the films just read or
# inserted) and their people links. A film or person another transaction inserted meanwhile is not among
# them: its nominations are given their film (NOMINATION_FILMS), and its links inserted (NEW_LINKS), right after.
NEW_EDITION_PAGE = text(FILMS_PEOPLE_AND_CHANGES_STEPS + """,
    fids AS (SELECT imdb_id, id FROM mins UNION ALL SELECT imdb_id, movie_id FROM ms),
    pids AS (SELECT imdb_id, id FROM pins UNION ALL SELECT imdb_id, person_id FROM ps),
    n AS ("""+ INSERT_NOMINATIONS + """
        SELECT u.ceremony_id, u.category_id, f.id, u.nominee_key, u.award_name, u.won, u.notes,
               u.nominee_type, u.imdb_nomination_id, u.details, :now
        FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS u(ceremony_id int, category_id int, film text, nominee_key text, award_name text, won bool,
                        notes text, nominee_type text, imdb_nomination_id text, details jsonb) LEFT JOIN fids f ON f.imdb_id = u.film""" + NOMINATIONS_UPSERTED + """),
    links AS (
        INSERT INTO festival_nomination_people (nomination_id, person_id, role, position)
        SELECT n.id, p.id, v.role, v.position
        FROM jsonb_to_recordset(CAST(:links AS jsonb)) AS v(category_id int, nominee_key text, person text,
             role text, position int)
        JOIN n ON n.category_id = v.category_id AND n.nominee_key = v.nominee_key
        JOIN pids p ON p.imdb_id = v.person
        ORDER BY n.id, p.id, v.role
        ON CONFLICT (nomination_id, person_id, role) DO NOTHING)
    SELECT 'film', imdb_id, id, NULL::int FROM fids
    UNION ALL
    SELECT 'person', imdb_id, id, NULL FROM pids
    UNION ALL
    SELECT 'nomination', nominee_key, id, category_id FROM n""")

NOMINATION_FILMS = text("""
    UPDATE festival_nominations fn SET movie_id = u.movie_id
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS u(category_id int, nominee_key text, movie_id int)
    WHERE fn.ceremony_id = :ceremony AND fn.category_id = u.category_id AND fn.nominee_key = u.nominee_key""")

# The fingerprint compared, the ceremony found and it and its nominations marked seen, in one statement (the
# ceremony first, as in the lock order). No row when the fingerprint differs or the ceremony is not stored.
TOUCH_UNCHANGED_EDITION = text("""
    WITH c AS (
        SELECT fc.id, fc.last_seen_at FROM festival_ceremonies fc
        JOIN festival_organizations o ON o.id = fc.organization_id
        WHERE o.slug = :slug AND fc.year = :year AND fc.instance = :instance AND fc.last_seen_at IS NOT NULL
          AND EXISTS (SELECT 1 FROM page_fingerprints pf
                      WHERE pf.list_id = :list_id AND pf.page = :page AND pf.fingerprint = :fingerprint)),
    seen AS (UPDATE festival_ceremonies fc SET last_seen_at = :now FROM c WHERE fc.id = c.id RETURNING fc.id),
    touched AS (UPDATE festival_nominations fn SET last_seen_at = :now FROM c
                WHERE fn.ceremony_id = c.id AND fn.last_seen_at >= c.last_seen_at RETURNING fn.movie_id)
    SELECT seen.id, ARRAY(SELECT movie_id FROM touched WHERE movie_id IS NOT NULL) FROM seen""")
