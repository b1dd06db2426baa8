/**
 * Byte-order ids (issue #11): every text column uses the "C" collation, so `ORDER BY user_id`, keyset
 * pages and range scans order ids exactly as SQLite's BINARY collation does (bytes of the UTF-8), not by
 * the database locale (en_US would put `_a` after `a`, `B` next to `b`, and could change between glibc
 * versions, silently corrupting indexes). A database created with a C/POSIX libc default needs nothing;
 * any other default gets each text column altered once (indexes are rebuilt by the ALTER).
 *
 * Run after the migrations on every start, under the migrations' advisory lock: columns that later
 * migrations add are covered without each migration having to spell `COLLATE "C"`. The scan is a
 * catalog query, a no-op when everything is already byte-ordered.
 */
export const NORMALIZE_COLLATION_SQL = `
DO $$
DECLARE
  r record;
  c_oid oid := (SELECT oid FROM pg_collation WHERE collname = 'C' AND collnamespace = 'pg_catalog'::regnamespace);
  default_is_c boolean := (SELECT datlocprovider = 'c' AND datcollate IN ('C', 'POSIX') FROM pg_database WHERE datname = current_database());
BEGIN
  FOR r IN
    SELECT cl.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS column_type
    FROM pg_attribute a
    JOIN pg_class cl ON cl.oid = a.attrelid
    WHERE cl.relnamespace = current_schema()::regnamespace AND cl.relkind IN ('r', 'p')
      AND a.attnum > 0 AND NOT a.attisdropped
      AND a.atttypid IN ('text'::regtype, 'varchar'::regtype)
      AND a.attcollation <> c_oid
      AND NOT (default_is_c AND a.attcollation = 'default'::regcollation)
  LOOP
    EXECUTE format('ALTER TABLE %I ALTER COLUMN %I TYPE %s COLLATE "C"', r.table_name, r.column_name, r.column_type);
  END LOOP;
END $$`;

/** Text columns of the current schema not ordered bytewise (0 after normalization; tests). */
export const NON_C_TEXT_COLUMNS_SQL = `
SELECT count(*)::int AS n
FROM pg_attribute a
JOIN pg_class cl ON cl.oid = a.attrelid
WHERE cl.relnamespace = current_schema()::regnamespace AND cl.relkind IN ('r', 'p')
  AND a.attnum > 0 AND NOT a.attisdropped
  AND a.atttypid IN ('text'::regtype, 'varchar'::regtype)
  AND a.attcollation <> (SELECT oid FROM pg_collation WHERE collname = 'C' AND collnamespace = 'pg_catalog'::regnamespace)
  AND NOT ((SELECT datlocprovider = 'c' AND datcollate IN ('C', 'POSIX') FROM pg_database WHERE datname = current_database()) AND a.attcollation = 'default'::regcollation)`;
