import { MigrationInterface, QueryRunner } from 'typeorm';
import { migrationSchema } from '../store/sql-names';

/**
 * The API's read models: every object the API serves (`api_objects`, tombstones kept for the
 * stream version), the watch feed (`api_changes`), bearer tokens (`api_tokens`). All of it is
 * derived from the log and rebuildable from position 0.
 */
export class CreateApiReadModels1733200000000 implements MigrationInterface {
  name = 'CreateApiReadModels1733200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = migrationSchema(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}.api_objects (
        kind text NOT NULL,
        namespace text NOT NULL,
        name text NOT NULL,
        uid text NOT NULL,
        stream_id text,
        stream_version int NOT NULL,
        resource_version bigint NOT NULL,
        generation int NOT NULL DEFAULT 0,
        deleted boolean NOT NULL DEFAULT false,
        object jsonb NOT NULL,
        internal jsonb NOT NULL DEFAULT '{}'::jsonb,
        PRIMARY KEY (kind, namespace, name)
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX api_objects_stream_idx ON ${s}.api_objects (stream_id) WHERE stream_id IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX api_objects_live_idx ON ${s}.api_objects (kind, namespace, name) WHERE NOT deleted`);
    await queryRunner.query(`
      CREATE TABLE ${s}.api_changes (
        position bigint NOT NULL,
        seq int NOT NULL,
        kind text NOT NULL,
        namespace text NOT NULL,
        name text NOT NULL,
        type text NOT NULL CHECK (type IN ('ADDED', 'MODIFIED', 'DELETED')),
        object jsonb NOT NULL,
        PRIMARY KEY (position, seq)
      )`);
    await queryRunner.query(`CREATE INDEX api_changes_kind_idx ON ${s}.api_changes (kind, position)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.api_tokens (
        id text PRIMARY KEY,
        hash_hex text,
        role text NOT NULL,
        namespace text,
        name text,
        revoked boolean NOT NULL DEFAULT false,
        position bigint NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX api_tokens_hash_idx ON ${s}.api_tokens (hash_hex)`);
    await queryRunner.query(`CREATE TABLE ${s}.api_meta (key text PRIMARY KEY, value bigint NOT NULL)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = migrationSchema(queryRunner);
    for (const table of ['api_meta', 'api_tokens', 'api_changes', 'api_objects']) await queryRunner.query(`DROP TABLE ${s}.${table}`);
  }
}
