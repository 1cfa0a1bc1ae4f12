// npm run migrate — creates the database and schema if needed and runs pending migrations.
// Services also migrate at start-up (serialized by an advisory lock); this is for deploy scripts.
import { databaseConfigShape, loadConfig } from '@berth/config';
import { runMigrations } from '@berth/event-store';

async function main(): Promise<void> {
  const config = loadConfig(databaseConfigShape);
  const applied = await runMigrations({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA });
  console.log(JSON.stringify({ msg: 'migrations done', schema: config.DATABASE_SCHEMA, applied }));
}

main().catch((error: unknown) => {
  console.error(JSON.stringify({ level: 'fatal', msg: 'migration failed', error: error instanceof Error ? error.message : String(error) }));
  process.exit(1);
});
