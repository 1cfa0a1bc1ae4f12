import { MigrationInterface, QueryRunner } from 'typeorm';
import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { appendLockKey, notifyChannel, quoteIdent } from '../sql-names';

/**
 * The append-only log, its checkpoints, the append function and the triggers that make
 * the database itself refuse UPDATE, DELETE and TRUNCATE of recorded events.
 *
 * Ordering: `append_events` takes a transaction-scoped advisory lock before it draws
 * positions, so positions are handed out in commit order and a reader that has seen
 * position N can never later find a smaller position committing (Message DB's cure).
 */
export class CreateEventLog1732560000000 implements MigrationInterface {
  name = 'CreateEventLog1732560000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schemaName = (queryRunner.connection.options as PostgresConnectionOptions).schema ?? 'public';
    const s = quoteIdent(schemaName);
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await queryRunner.query(`
      CREATE TABLE ${s}.events (
        global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        stream_id text NOT NULL CHECK (length(stream_id) BETWEEN 3 AND 600),
        stream_version int NOT NULL CHECK (stream_version >= 0),
        event_id uuid NOT NULL,
        type text NOT NULL CHECK (length(type) BETWEEN 1 AND 200),
        data jsonb NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version),
        CONSTRAINT events_event_id_key UNIQUE (event_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.checkpoints (
        name text PRIMARY KEY,
        position bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE FUNCTION ${s}.reject_event_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        RAISE EXCEPTION 'the event log is append-only: % on %.events is not allowed', TG_OP, TG_TABLE_SCHEMA
          USING ERRCODE = 'BE003';
      END
      $fn$`);
    await queryRunner.query(
      `CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON ${s}.events FOR EACH ROW EXECUTE FUNCTION ${s}.reject_event_change()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON ${s}.events FOR EACH STATEMENT EXECUTE FUNCTION ${s}.reject_event_change()`,
    );
    // batch: [{ "streamId": text, "expected": "any" | "no_stream" | "<int>", "events": [{ eventId, type, data, metadata }] }]
    await queryRunner.query(`
      CREATE FUNCTION ${s}.append_events(batch jsonb)
      RETURNS TABLE (event_id uuid, stream_id text, stream_version int, global_position bigint, existed boolean)
      LANGUAGE plpgsql AS $fn$
      #variable_conflict use_column
      DECLARE
        ids uuid[];
        found int;
        item jsonb;
        current_version int;
        expected text;
        last_position bigint;
      BEGIN
        PERFORM pg_advisory_xact_lock(${appendLockKey(schemaName)});
        SELECT array_agg((x.e->>'eventId')::uuid ORDER BY i.ord, x.ord) INTO ids
          FROM jsonb_array_elements(batch) WITH ORDINALITY AS i(val, ord),
               jsonb_array_elements(i.val->'events') WITH ORDINALITY AS x(e, ord);
        SELECT count(*) INTO found FROM ${s}.events ev WHERE ev.event_id = ANY(ids);
        IF found > 0 THEN
          IF found = cardinality(ids) THEN
            RETURN QUERY
              SELECT ev.event_id, ev.stream_id, ev.stream_version, ev.global_position, true
              FROM unnest(ids) WITH ORDINALITY AS u(id, ord) JOIN ${s}.events ev ON ev.event_id = u.id
              ORDER BY u.ord;
            RETURN;
          END IF;
          RAISE EXCEPTION 'idempotency conflict' USING ERRCODE = 'BE002',
            DETAIL = (SELECT json_agg(ev.event_id)::text FROM ${s}.events ev WHERE ev.event_id = ANY(ids));
        END IF;
        FOR item IN SELECT val FROM jsonb_array_elements(batch) AS b(val) LOOP
          SELECT coalesce(max(ev.stream_version), -1) INTO current_version
            FROM ${s}.events ev WHERE ev.stream_id = item->>'streamId';
          expected := item->>'expected';
          IF (expected = 'no_stream' AND current_version <> -1)
             OR (expected NOT IN ('any', 'no_stream') AND expected::int <> current_version) THEN
            RAISE EXCEPTION 'wrong expected version' USING ERRCODE = 'BE001',
              DETAIL = json_build_object('streamId', item->>'streamId', 'expected', expected, 'actual', current_version)::text;
          END IF;
          RETURN QUERY
            INSERT INTO ${s}.events AS ev (stream_id, stream_version, event_id, type, data, metadata)
            SELECT item->>'streamId', current_version + x.ord::int, (x.e->>'eventId')::uuid, x.e->>'type',
                   x.e->'data', coalesce(x.e->'metadata', '{}'::jsonb)
            FROM jsonb_array_elements(item->'events') WITH ORDINALITY AS x(e, ord)
            ORDER BY x.ord
            RETURNING ev.event_id, ev.stream_id, ev.stream_version, ev.global_position, false;
        END LOOP;
        SELECT max(ev.global_position) INTO last_position FROM ${s}.events ev WHERE ev.event_id = ANY(ids);
        PERFORM pg_notify('${notifyChannel(schemaName)}', last_position::text);
      END
      $fn$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quoteIdent((queryRunner.connection.options as PostgresConnectionOptions).schema ?? 'public');
    await queryRunner.query(`DROP FUNCTION ${s}.append_events(jsonb)`);
    await queryRunner.query(`DROP TABLE ${s}.events`);
    await queryRunner.query(`DROP FUNCTION ${s}.reject_event_change()`);
    await queryRunner.query(`DROP TABLE ${s}.checkpoints`);
  }
}
