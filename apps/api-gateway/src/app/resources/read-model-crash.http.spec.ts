import { API_PROJECTION_NAME } from '@berth/api-read-models';
import { deploymentManifest, startTestGateway, TestGateway } from '../gateway-test.fixture';

const PATH = '/apis/apps/v1/namespaces/default/deployments/web';

/**
 * The read model commits asynchronously: a Postgres crash can lose its newest batches (rows and
 * checkpoint together; the log keeps the events and they are applied again). Here the loss is made
 * exactly, in SQL, under a running gateway that has already answered from the lost batch: it must
 * neither show nor decide on the older rows (tools/e2e/src/infra-restart.spec.ts does it with a real
 * immediate shutdown, where the timing is luck).
 */
describe('the read model after a crash lost its newest batch', () => {
  let gw: TestGateway;
  const table = (name: string) => `"${gw.db.options.schema}".${name}`;

  beforeAll(async () => {
    gw = await startTestGateway('gwcrash');
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('does not answer from, nor decide a write on, the rows the crash rolled back', async () => {
    expect((await gw.request('POST', '/apis/apps/v1/namespaces/default/deployments', { body: deploymentManifest('web', { replicas: 2 }) })).status).toBe(201);
    const checkpoint = Number((await gw.db.pool.query(`SELECT position FROM ${table('checkpoints')} WHERE name = $1`, [API_PROJECTION_NAME])).rows[0].position);
    const { rows: saved } = await gw.db.pool.query(`SELECT to_jsonb(o) AS row FROM ${table('api_objects')} o WHERE stream_id IS NOT NULL`);

    const scaled = await gw.request<{ spec: { replicas: number } }>('PATCH', `${PATH}/scale`, { body: { spec: { replicas: 3 } }, contentType: 'application/merge-patch+json' });
    expect(scaled.body.spec.replicas).toBe(3);

    // What the crash leaves: every read-model row and the checkpoint as they were before the batch.
    const client = await gw.db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`DELETE FROM ${table('api_objects')} WHERE stream_id IS NOT NULL OR resource_version > $1`, [checkpoint]);
      for (const { row } of saved) await client.query(`INSERT INTO ${table('api_objects')} SELECT * FROM jsonb_populate_record(NULL::${table('api_objects')}, $1::jsonb)`, [row]);
      await client.query(`DELETE FROM ${table('api_changes')} WHERE position > $1`, [checkpoint]);
      await client.query(`UPDATE ${table('checkpoints')} SET position = $1 WHERE name = $2`, [checkpoint, API_PROJECTION_NAME]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }

    const read = await gw.request<{ spec: { replicas: number } }>('GET', PATH);
    expect(read.body.spec.replicas).toBe(3);
    // Scaling back to 2 is a change, not a no-op decided on the lost rows.
    const back = await gw.request<{ spec: { replicas: number } }>('PATCH', `${PATH}/scale`, { body: { spec: { replicas: 2 } }, contentType: 'application/merge-patch+json' });
    expect(back.body.spec.replicas).toBe(2);
    const scales = (await gw.db.store.readStream('deployment:default/web')).filter((e) => e.type === 'DeploymentScaled').map((e) => (e.data as { replicas: number }).replicas);
    expect(scales).toEqual([3, 2]);
  });
});
