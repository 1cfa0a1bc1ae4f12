import { MigrationInterface, QueryRunner } from 'typeorm';
import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { quoteIdent } from '../sql-names';

const FUNCTIONS = ['append_events(jsonb)', 'append_event_units(jsonb)'];

/**
 * The append functions plan each statement once per connection, and never as a scan of the
 * whole log. Every statement in them has one right plan: a lookup by key on an index of the
 * log, or a scan of the jsonb argument. Planning anew for each call's parameters
 * (force_custom_plan, which cured the generic plan a nearly empty log once chose) spent more
 * time than the append itself: about 1.7 ms per event against 0.3 ms, groups of 12
 * single-event appends on a loaded 2-core machine. With sequential scans off inside the
 * functions, the plan made on an empty log is the index plan too.
 */
export class AppendGenericPlans1732560000003 implements MigrationInterface {
  name = 'AppendGenericPlans1732560000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quoteIdent((queryRunner.connection.options as PostgresConnectionOptions).schema ?? 'public');
    for (const fn of FUNCTIONS) {
      await queryRunner.query(`ALTER FUNCTION ${s}.${fn} SET plan_cache_mode = force_generic_plan`);
      await queryRunner.query(`ALTER FUNCTION ${s}.${fn} SET enable_seqscan = off`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quoteIdent((queryRunner.connection.options as PostgresConnectionOptions).schema ?? 'public');
    for (const fn of FUNCTIONS) {
      await queryRunner.query(`ALTER FUNCTION ${s}.${fn} RESET enable_seqscan`);
      await queryRunner.query(`ALTER FUNCTION ${s}.${fn} SET plan_cache_mode = force_custom_plan`);
    }
  }
}
