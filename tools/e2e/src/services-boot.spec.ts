import { createTestDatabase, ServiceName, startService, TestDatabase, waitForHttp } from '@berth/testing';

const services: ServiceName[] = ['api-gateway', 'scheduler', 'autoscaler', 'monitor', 'node-agent'];

describe('every service boots against the real Postgres, NATS and Docker', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('boot');
  });
  afterAll(async () => {
    await db.cleanup();
  });

  const env = () => ({
    DATABASE_URL: db.options.url,
    DATABASE_SCHEMA: db.options.schema,
    NODE_NAME: 'boot-test-node',
  });

  it.each(services)('%s answers /healthz and /metrics, and stops cleanly on SIGTERM', async (name) => {
    const service = await startService(name, env());
    let healthy = false;
    try {
      const health = await waitForHttp(`http://127.0.0.1:${service.port}/healthz`, service, 45_000);
      const body = (await health.json()) as { status: string; info: Record<string, { status: string }> };
      expect(body.status).toBe('ok');
      expect(Object.keys(body.info)).toContain('nats');
      expect(Object.keys(body.info)).toContain(name === 'node-agent' ? 'docker' : 'postgres');
      const metrics = await (await fetch(`http://127.0.0.1:${service.port}/metrics`)).text();
      expect(metrics).toContain(`berth_service_info{version="0.1.0",service="${name}"} 1`);
      expect(metrics).toContain('berth_process_cpu_user_seconds_total');
      const live = await fetch(`http://127.0.0.1:${service.port}/healthz/live`);
      expect(live.status).toBe(200);
      healthy = true;
    } finally {
      const code = await service.stop();
      if (healthy) expect(code).toBe(0);
    }
    // Logs are structured: every line of stdout is a JSON object.
    const lines = service.output().split('\n').filter((line) => line.trim() !== '');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it.each([
    ['scheduler', { NATS_URL: '' , PORT: 'not-a-port' }, 'PORT'],
    ['api-gateway', { DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    ['monitor', { DATABASE_SCHEMA: 'Bad-Schema' }, 'DATABASE_SCHEMA'],
    ['node-agent', { NODE_NAME: 'Not_A_Name' }, 'NODE_NAME'],
    ['node-agent', { ADVERTISE_ADDRESS: 'nowhere' }, 'ADVERTISE_ADDRESS'],
  ] as [ServiceName, Record<string, string>, string][])('%s refuses to start with a bad %s and names it', async (name, bad, variable) => {
    const service = await startService(name, { ...env(), ...bad });
    const code = await service.exited;
    expect(code).toBe(78);
    const fatal = service
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: string; error: string })
      .find((entry) => entry.level === 'fatal');
    expect(fatal?.error).toContain(`${variable}:`);
  });
});
