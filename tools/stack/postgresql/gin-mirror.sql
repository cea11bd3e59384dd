-- The local stack's PostgreSQL (under FerretDB 1.24) uses the indexes the adapters declare.
--
-- FerretDB turns each MongoDB index into a btree index on `(_jsonb -> 'field')`, but pushes equality filters down as
-- `(_jsonb -> 'field') @> '"value"'`, which a btree cannot serve: every query scans its table. A GIN index on the same
-- expression serves `@>`. This file mirrors every such btree key as a GIN expression index, now for what exists and,
-- through an event trigger, for every index FerretDB creates later (collections created by db:indexes, tests, the API).
-- It is a property of the local server only: the adapters declare their indexes for MongoDB and never rely on this.
-- Idempotent: applied at every start of the stack's PostgreSQL.

SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS invoicing_stack;

-- One GIN index per key expression of a btree index of FerretDB's (`_jsonb -> 'field'`); never fails the caller's DDL.
CREATE OR REPLACE FUNCTION invoicing_stack.mirror_index(idx oid) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  tbl regclass;
  tbl_name name;
  tbl_schema oid;
  method name;
  keys integer;
  expr text;
  mirror text;
  created integer := 0;
BEGIN
  SELECT i.indrelid, t.relname, t.relnamespace, a.amname, i.indnkeyatts INTO tbl, tbl_name, tbl_schema, method, keys
    FROM pg_index i
    JOIN pg_class c ON c.oid = i.indexrelid
    JOIN pg_am a ON a.oid = c.relam
    JOIN pg_class t ON t.oid = i.indrelid
   WHERE i.indexrelid = idx;
  -- FerretDB looks its metadata up by btree-friendly equality; only collection tables need the mirror.
  IF method IS DISTINCT FROM 'btree' OR tbl_name = '_ferretdb_database_metadata' THEN RETURN 0; END IF;
  FOR k IN 1..keys LOOP
    expr := pg_get_indexdef(idx, k, true);
    CONTINUE WHEN expr !~ '^\(_jsonb -> ''[^'']+''::text\)$';
    -- Named after the table and the expression: stable, so a second run finds it, and within 63 bytes.
    mirror := left(tbl_name, 40) || '_gin_' || left(md5(expr), 12);
    CONTINUE WHEN EXISTS (SELECT 1 FROM pg_class WHERE relname = mirror AND relnamespace = tbl_schema);
    BEGIN
      EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin (%s)', mirror, tbl, expr);
      created := created + 1;
    EXCEPTION WHEN OTHERS THEN
      RAISE WARNING 'invoicing_stack: no GIN mirror of % on %: %', expr, tbl, SQLERRM;
    END;
  END LOOP;
  RETURN created;
END $$;

-- Every btree index on a FerretDB collection table (a schema holding FerretDB's metadata table is a MongoDB database).
CREATE OR REPLACE FUNCTION invoicing_stack.mirror_all() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  total integer := 0;
  r record;
BEGIN
  FOR r IN
    SELECT i.indexrelid
      FROM pg_index i
      JOIN pg_class t ON t.oid = i.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE EXISTS (SELECT 1 FROM pg_class m WHERE m.relnamespace = n.oid AND m.relname = '_ferretdb_database_metadata')
       AND t.relname <> '_ferretdb_database_metadata'
  LOOP
    total := total + invoicing_stack.mirror_index(r.indexrelid);
  END LOOP;
  RETURN total;
END $$;

CREATE OR REPLACE FUNCTION invoicing_stack.on_create_index() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE INDEX' AND object_type = 'index' LOOP
    PERFORM invoicing_stack.mirror_index(r.objid);
  END LOOP;
END $$;

DROP EVENT TRIGGER IF EXISTS invoicing_stack_gin_mirror;
CREATE EVENT TRIGGER invoicing_stack_gin_mirror ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION invoicing_stack.on_create_index();

SELECT invoicing_stack.mirror_all() AS mirrored;
