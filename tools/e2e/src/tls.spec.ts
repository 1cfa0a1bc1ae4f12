import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { apiReadModelMigrations } from '@berth/api-read-models';
import { connectNats } from '@berth/messaging';
import { createTestDatabase, ServiceProcess, startService, TestDatabase } from '@berth/testing';
import { waitFor } from './node-agent-control-plane.fixture';
import { ImageConfiguredNats, makeCertificates, startImageConfiguredNats, TestCertificates } from './nats-server-config.fixture';

const CONTROL_PLANE = { user: 'berth', password: randomBytes(8).toString('hex') };

interface HttpsAnswer {
  status: number;
  text: string;
}

/** A request over HTTPS that trusts only `ca` (Node's own CAs are not asked). */
function httpsGet(url: string, ca: Buffer | undefined, options: { method?: string; body?: string; contentType?: string } = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const headers = options.contentType ? { 'content-type': options.contentType } : undefined;
    const req = httpsRequest(url, { method: options.method ?? 'GET', ...(ca ? { ca } : {}), ...(headers ? { headers } : {}), timeout: 10_000 }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(options.body);
  });
}

/**
 * Optional TLS: the gateway serves HTTPS when TLS_CERT_FILE/TLS_KEY_FILE are set, and every service
 * speaks TLS to NATS with NATS_TLS_CA_FILE (and a client certificate, NATS_TLS_CERT_FILE/KEY_FILE,
 * for a server that verifies clients). Certificates are made here with openssl; the NATS servers
 * are configured by the compose image's generator.
 */
describe('TLS', () => {
  let certs: TestCertificates;
  let ca: Buffer;

  beforeAll(() => {
    certs = makeCertificates();
    ca = readFileSync(certs.caFile);
  });
  afterAll(() => certs?.dispose());

  describe('NATS with TLS (server certificate only)', () => {
    let nats: ImageConfiguredNats;

    beforeAll(async () => {
      nats = await startImageConfiguredNats({ ...natsUsers(), NATS_TLS_CERT_FILE: certs.certFile, NATS_TLS_KEY_FILE: certs.keyFile });
    });
    afterAll(async () => nats?.dispose());

    it('generates a tls block from NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE', () => {
      expect(nats.config).toContain(`tls {\n  cert_file: "${certs.certFile}"\n  key_file: "${certs.keyFile}"\n}`);
    });

    it('a client that trusts the CA connects, publishes and subscribes over TLS', async () => {
      const nc = await connectNats({ url: nats.server.url, name: 'tls-client', ...controlPlane(), tls: { caFile: certs.caFile } });
      try {
        const sub = nc.subscribe('tls.test', { max: 1 });
        nc.publish('tls.test', 'over tls');
        for await (const msg of sub) expect(msg.string()).toBe('over tls');
        expect(nc.info?.tls_required).toBe(true);
      } finally {
        await nc.close();
      }
    });

    it('a client that does not trust the CA is refused', async () => {
      await expect(connectNats({ url: nats.server.url, name: 'untrusting', ...controlPlane() }, { waitOnFirstConnect: false, maxReconnectAttempts: 0, reconnect: false })).rejects.toThrow(
        /certificate|self.signed|unable to verify/i,
      );
    });
  });

  describe('NATS that verifies clients, and the gateway over HTTPS (a real process)', () => {
    let nats: ImageConfiguredNats;
    let db: TestDatabase;
    let gateway: ServiceProcess;
    let url: string;

    beforeAll(async () => {
      nats = await startImageConfiguredNats({ ...natsUsers(), NATS_TLS_CERT_FILE: certs.certFile, NATS_TLS_KEY_FILE: certs.keyFile, NATS_TLS_CA_FILE: certs.caFile });
      db = await createTestDatabase('gwtls', { migrations: apiReadModelMigrations });
      gateway = await startService('api-gateway', {
        DATABASE_URL: db.options.url,
        DATABASE_SCHEMA: db.options.schema,
        ANONYMOUS: 'true',
        RELAY_ENABLED: 'false',
        LOG_LEVEL: 'info',
        TLS_CERT_FILE: certs.certFile,
        TLS_KEY_FILE: certs.keyFile,
        NATS_URL: nats.server.url,
        NATS_USER: CONTROL_PLANE.user,
        NATS_PASSWORD: CONTROL_PLANE.password,
        NATS_TLS_CA_FILE: certs.caFile,
        NATS_TLS_CERT_FILE: certs.clientCertFile,
        NATS_TLS_KEY_FILE: certs.clientKeyFile,
      });
      url = `https://127.0.0.1:${gateway.port}`;
      await waitFor(
        async () => {
          if (gateway.process.exitCode !== null) throw new Error(`the gateway exited:\n${gateway.output().slice(-3000)}`);
          return httpsGet(`${url}/healthz`, ca).then((answer) => answer.status === 200 && answer, () => false);
        },
        60_000,
        `the gateway over HTTPS; output:\n${gateway?.output().slice(-2000)}`,
      );
    }, 120_000);

    afterAll(async () => {
      await gateway?.stop();
      await db?.cleanup();
      await nats?.dispose();
    });

    it('generates verify: true with the CA', () => {
      expect(nats.config).toMatch(/ca_file: ".*ca\.crt"\n {2}verify: true/);
    });

    it('a NATS client without a certificate is refused; with one it connects', async () => {
      await expect(connectNats({ url: nats.server.url, name: 'no-cert', ...controlPlane(), tls: { caFile: certs.caFile } }, { waitOnFirstConnect: false, maxReconnectAttempts: 0, reconnect: false })).rejects.toThrow();
      const nc = await connectNats({ url: nats.server.url, name: 'with-cert', ...controlPlane(), tls: { caFile: certs.caFile, certFile: certs.clientCertFile, keyFile: certs.clientKeyFile } });
      await nc.close();
    });

    it('the gateway serves the API over HTTPS, with Postgres and NATS (mutual TLS) ready', async () => {
      const health = JSON.parse((await httpsGet(`${url}/healthz`, ca)).text) as { status: string; info: Record<string, { status: string }> };
      expect(health).toMatchObject({ status: 'ok', info: { nats: { status: 'up' }, postgres: { status: 'up' } } });
      const created = await httpsGet(`${url}/api/v1/namespaces`, ca, { method: 'POST', contentType: 'application/json', body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'over-tls' } }) });
      expect(created.status).toBe(201);
      expect(JSON.parse((await httpsGet(`${url}/api/v1/namespaces/over-tls`, ca)).text)).toMatchObject({ metadata: { name: 'over-tls' } });
      expect(gateway.output()).toMatch(/"msg":"service started".*"protocol":"https"/);
    });

    it('refuses clients that do not trust the certificate, and plain HTTP', async () => {
      await expect(httpsGet(`${url}/healthz`, undefined)).rejects.toThrow(/self.signed|unable to verify|certificate/i);
      const plain = await fetch(`http://127.0.0.1:${gateway.port}/healthz`).then(
        (response) => response.status,
        () => 'refused',
      );
      expect(plain).not.toBe(200);
    });
  });

  it('a gateway with a certificate but no key refuses to start, naming TLS_KEY_FILE', async () => {
    const gateway = await startService('api-gateway', { TLS_CERT_FILE: certs.certFile });
    expect(await gateway.exited).toBe(78);
    expect(gateway.output()).toMatch(/"level":"fatal".*TLS_KEY_FILE: must be set together with TLS_CERT_FILE/);
  });

  function natsUsers(): Record<string, string> {
    return { NATS_USER: CONTROL_PLANE.user, NATS_PASSWORD: CONTROL_PLANE.password };
  }

  function controlPlane(): { user: string; password: string } {
    return { ...CONTROL_PLANE };
  }
});
