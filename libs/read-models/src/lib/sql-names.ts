import { QueryRunner } from 'typeorm';
import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

/** Quotes a schema or table name; refuses anything that is not a plain lowercase identifier. */
export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`unsafe SQL identifier "${name}"`);
  return `"${name}"`;
}

/** The quoted schema a migration runs in: the one of the DataSource (each test has its own). */
export function migrationSchema(queryRunner: QueryRunner): string {
  return quoteIdent((queryRunner.connection.options as PostgresConnectionOptions).schema ?? 'public');
}
