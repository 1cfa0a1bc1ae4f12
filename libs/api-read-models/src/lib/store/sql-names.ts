import { QueryRunner } from 'typeorm';
import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

/** Quotes a schema name; refuses anything that is not a plain lowercase identifier. */
export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`unsafe SQL identifier "${name}"`);
  return `"${name}"`;
}

/** The quoted schema a migration runs in: the one of the DataSource (each test has its own). */
export function migrationSchema(queryRunner: QueryRunner): string {
  return quoteIdent((queryRunner.connection.options as PostgresConnectionOptions).schema ?? 'public');
}

/** Checkpoint name of the API read models' projection. */
export const API_PROJECTION_NAME = 'api-read-models';

/** api_meta key: watch entries at or below this position were compacted away. */
export const COMPACTED_THROUGH = 'changes_compacted_through';
