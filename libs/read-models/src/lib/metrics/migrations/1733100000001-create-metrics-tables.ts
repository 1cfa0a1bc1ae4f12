import { MigrationInterface, QueryRunner } from 'typeorm';
import { migrationSchema } from '../../sql-names';

/**
 * Usage metrics: NOT part of the event log (too many, too short-lived). Raw samples are kept
 * for a short retention, 1-minute rollups for longer; `metrics_rollups` holds how far the
 * periodic rollup job has got.
 */
export class CreateMetricsTables1733100000001 implements MigrationInterface {
  name = 'CreateMetricsTables1733100000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = migrationSchema(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}.replica_metrics (
        replica_uid text NOT NULL,
        node text NOT NULL,
        at timestamptz NOT NULL,
        cpu_percent double precision NOT NULL,
        memory_bytes double precision NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX replica_metrics_uid_at_idx ON ${s}.replica_metrics (replica_uid, at)`);
    await queryRunner.query(`CREATE INDEX replica_metrics_node_at_idx ON ${s}.replica_metrics (node, at)`);
    await queryRunner.query(`CREATE INDEX replica_metrics_at_idx ON ${s}.replica_metrics (at)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.replica_metrics_1m (
        replica_uid text NOT NULL,
        minute timestamptz NOT NULL,
        node text NOT NULL,
        samples int NOT NULL,
        cpu_avg double precision NOT NULL,
        cpu_max double precision NOT NULL,
        memory_avg double precision NOT NULL,
        memory_max double precision NOT NULL,
        PRIMARY KEY (replica_uid, minute)
      )`);
    await queryRunner.query(`CREATE INDEX replica_metrics_1m_node_minute_idx ON ${s}.replica_metrics_1m (node, minute)`);
    await queryRunner.query(`CREATE INDEX replica_metrics_1m_minute_idx ON ${s}.replica_metrics_1m (minute)`);
    // Request rate, latency and errors per service, as the service proxy will report them.
    await queryRunner.query(`
      CREATE TABLE ${s}.service_metrics (
        service text NOT NULL,
        node text NOT NULL,
        at timestamptz NOT NULL,
        window_seconds double precision NOT NULL,
        requests bigint NOT NULL,
        errors bigint NOT NULL,
        latency_avg_ms double precision NOT NULL,
        latency_p95_ms double precision NOT NULL,
        latency_max_ms double precision NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX service_metrics_service_at_idx ON ${s}.service_metrics (service, at)`);
    await queryRunner.query(`CREATE INDEX service_metrics_at_idx ON ${s}.service_metrics (at)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.service_metrics_1m (
        service text NOT NULL,
        minute timestamptz NOT NULL,
        samples int NOT NULL,
        requests bigint NOT NULL,
        errors bigint NOT NULL,
        latency_avg_ms double precision NOT NULL,
        latency_p95_ms double precision NOT NULL,
        latency_max_ms double precision NOT NULL,
        PRIMARY KEY (service, minute)
      )`);
    await queryRunner.query(`CREATE INDEX service_metrics_1m_minute_idx ON ${s}.service_metrics_1m (minute)`);
    await queryRunner.query(`CREATE TABLE ${s}.metrics_rollups (name text PRIMARY KEY, rolled_until timestamptz NOT NULL)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = migrationSchema(queryRunner);
    for (const table of ['metrics_rollups', 'service_metrics_1m', 'service_metrics', 'replica_metrics_1m', 'replica_metrics']) {
      await queryRunner.query(`DROP TABLE ${s}.${table}`);
    }
  }
}
