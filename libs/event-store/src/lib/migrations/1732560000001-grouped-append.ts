import { MigrationInterface, QueryRunner } from 'typeorm';
import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { appendLockKey, notifyChannel, quoteIdent } from '../sql-names';

/**
 * Group commit: `append_event_units` takes several independent appends ("units", each atomic
 * on its own) and commits them in one transaction under the same ordering lock. Each unit runs
 * in a subtransaction, so a unit at the wrong version fails alone (its rows are rolled back and
 * its error returned) while the others commit.
 */
export class GroupedAppend1732560000001 implements MigrationInterface {
  name = 'GroupedAppend1732560000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schemaName = (queryRunner.connection.options as PostgresConnectionOptions).schema ?? 'public';
    const s = quoteIdent(schemaName);
    await queryRunner.query(`
      CREATE FUNCTION ${s}.append_event_units(units jsonb)
      RETURNS TABLE (unit int, event_id uuid, stream_id text, stream_version int, global_position bigint,
                     existed boolean, error_code text, error_detail text)
      LANGUAGE plpgsql AS $fn$
      #variable_conflict use_column
      DECLARE
        u jsonb;
        u_ord int;
        ids uuid[];
        found int;
        item jsonb;
        current_version int;
        expected text;
        unit_rows jsonb;
        inserted_rows jsonb;
        err_detail text;
        last_position bigint := 0;
      BEGIN
        PERFORM pg_advisory_xact_lock(${appendLockKey(schemaName)});
        FOR u, u_ord IN SELECT t.val, t.ord::int FROM jsonb_array_elements(units) WITH ORDINALITY AS t(val, ord) LOOP
          SELECT array_agg((x.e->>'eventId')::uuid ORDER BY i.ord, x.ord) INTO ids
            FROM jsonb_array_elements(u) WITH ORDINALITY AS i(val, ord),
                 jsonb_array_elements(i.val->'events') WITH ORDINALITY AS x(e, ord);
          SELECT count(*) INTO found FROM ${s}.events ev WHERE ev.event_id = ANY(ids);
          IF found > 0 THEN
            IF found = cardinality(ids) THEN
              RETURN QUERY
                SELECT u_ord, ev.event_id, ev.stream_id, ev.stream_version, ev.global_position, true, NULL::text, NULL::text
                FROM unnest(ids) WITH ORDINALITY AS x(id, ord) JOIN ${s}.events ev ON ev.event_id = x.id
                ORDER BY x.ord;
            ELSE
              RETURN QUERY SELECT u_ord, NULL::uuid, NULL::text, NULL::int, NULL::bigint, NULL::boolean, 'BE002'::text,
                (SELECT json_agg(ev.event_id)::text FROM ${s}.events ev WHERE ev.event_id = ANY(ids));
            END IF;
            CONTINUE;
          END IF;
          unit_rows := '[]'::jsonb;
          BEGIN
            FOR item IN SELECT b.val FROM jsonb_array_elements(u) AS b(val) LOOP
              SELECT coalesce(max(ev.stream_version), -1) INTO current_version
                FROM ${s}.events ev WHERE ev.stream_id = item->>'streamId';
              expected := item->>'expected';
              IF (expected = 'no_stream' AND current_version <> -1)
                 OR (expected NOT IN ('any', 'no_stream') AND expected::int <> current_version) THEN
                RAISE EXCEPTION 'wrong expected version' USING ERRCODE = 'BE001',
                  DETAIL = json_build_object('streamId', item->>'streamId', 'expected', expected, 'actual', current_version)::text;
              END IF;
              WITH inserted AS (
                INSERT INTO ${s}.events AS ev (stream_id, stream_version, event_id, type, data, metadata)
                SELECT item->>'streamId', current_version + x.ord::int, (x.e->>'eventId')::uuid, x.e->>'type',
                       x.e->'data', coalesce(x.e->'metadata', '{}'::jsonb)
                FROM jsonb_array_elements(item->'events') WITH ORDINALITY AS x(e, ord)
                ORDER BY x.ord
                RETURNING ev.event_id, ev.stream_id, ev.stream_version, ev.global_position
              )
              SELECT coalesce(jsonb_agg(jsonb_build_array(i.event_id, i.stream_id, i.stream_version, i.global_position)
                                        ORDER BY i.global_position), '[]'::jsonb)
                INTO inserted_rows FROM inserted i;
              unit_rows := unit_rows || inserted_rows;
            END LOOP;
          EXCEPTION
            WHEN SQLSTATE 'BE001' THEN
              GET STACKED DIAGNOSTICS err_detail = PG_EXCEPTION_DETAIL;
              RETURN QUERY SELECT u_ord, NULL::uuid, NULL::text, NULL::int, NULL::bigint, NULL::boolean, 'BE001'::text, err_detail;
              CONTINUE;
            WHEN unique_violation THEN
              RETURN QUERY SELECT u_ord, NULL::uuid, NULL::text, NULL::int, NULL::bigint, NULL::boolean, 'BE002'::text, '[]'::text;
              CONTINUE;
          END;
          RETURN QUERY
            SELECT u_ord, (r->>0)::uuid, r->>1, (r->>2)::int, (r->>3)::bigint, false, NULL::text, NULL::text
            FROM jsonb_array_elements(unit_rows) AS r;
          last_position := greatest(last_position, (SELECT max((r->>3)::bigint) FROM jsonb_array_elements(unit_rows) AS r));
        END LOOP;
        IF last_position > 0 THEN
          PERFORM pg_notify('${notifyChannel(schemaName)}', last_position::text);
        END IF;
      END
      $fn$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quoteIdent((queryRunner.connection.options as PostgresConnectionOptions).schema ?? 'public');
    await queryRunner.query(`DROP FUNCTION ${s}.append_event_units(jsonb)`);
  }
}
