import { MigrationInterface, QueryRunner } from 'typeorm';
import { migrationSchema } from '../../sql-names';

/** The `nodes` read model (see NodeEntity). Rebuildable from the log at any time. */
export class CreateNodesReadModel1733100000000 implements MigrationInterface {
  name = 'CreateNodesReadModel1733100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = migrationSchema(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}.nodes (
        name text PRIMARY KEY,
        address text NOT NULL,
        boot_id text,
        labels jsonb NOT NULL DEFAULT '{}'::jsonb,
        taints jsonb NOT NULL DEFAULT '[]'::jsonb,
        capacity jsonb NOT NULL,
        allocatable jsonb NOT NULL,
        info jsonb NOT NULL DEFAULT '{}'::jsonb,
        condition text NOT NULL CHECK (condition IN ('Unknown', 'Ready', 'NotReady', 'Lost')),
        condition_reason text,
        last_transition_at timestamptz NOT NULL,
        unschedulable boolean NOT NULL DEFAULT false,
        drain_requested boolean NOT NULL DEFAULT false,
        registered_at timestamptz NOT NULL,
        stream_version int NOT NULL,
        position bigint NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX nodes_condition_idx ON ${s}.nodes (condition)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${migrationSchema(queryRunner)}.nodes`);
  }
}
