import { MigrationInterface, QueryRunner } from 'typeorm';
import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { quoteIdent } from '../sql-names';

/**
 * The append functions always plan their queries for the current parameters. PL/pgSQL otherwise
 * switches a pooled connection to a generic plan after five calls; chosen while the log is nearly
 * empty, that plan scans the whole table and stays (no ANALYZE invalidates it), so appends on
 * long-lived connections slowed down as the log grew (19k -> 1.5k events/s over 250k events).
 */
export class AppendCustomPlans1732560000002 implements MigrationInterface {
  name = 'AppendCustomPlans1732560000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quoteIdent((queryRunner.connection.options as PostgresConnectionOptions).schema ?? 'public');
    await queryRunner.query(`ALTER FUNCTION ${s}.append_events(jsonb) SET plan_cache_mode = force_custom_plan`);
    await queryRunner.query(`ALTER FUNCTION ${s}.append_event_units(jsonb) SET plan_cache_mode = force_custom_plan`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quoteIdent((queryRunner.connection.options as PostgresConnectionOptions).schema ?? 'public');
    await queryRunner.query(`ALTER FUNCTION ${s}.append_events(jsonb) RESET plan_cache_mode`);
    await queryRunner.query(`ALTER FUNCTION ${s}.append_event_units(jsonb) RESET plan_cache_mode`);
  }
}
