// A relay in a process of its own, so a test can kill -9 it mid-batch.
import { createPool, EventStore } from '@berth/event-store';
import { connectNats } from '../nats-connection';
import { EventRelay } from './event-relay';

async function main(): Promise<void> {
  const url = process.env['DATABASE_URL'] as string;
  const schema = process.env['DATABASE_SCHEMA'] as string;
  const store = new EventStore(createPool({ url, schema }), schema);
  const nats = await connectNats({ url: process.env['NATS_URL'] as string, name: 'relay-fixture' });
  const relay = new EventRelay(store, nats, { databaseUrl: url, batchSize: Number(process.env['BATCH_SIZE'] ?? 50) });
  relay.start();
  setInterval(() => process.stdout.write(`${JSON.stringify(relay.stats)}\n`), 50);
}

void main();
