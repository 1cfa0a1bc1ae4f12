import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { freePort, TestNatsServer, WORKSPACE_ROOT } from '@berth/testing';

/** The compose image's configuration generator (berth/nats: `berth-nats-config`). */
export const NATS_CONFIG_SCRIPT = join(WORKSPACE_ROOT, 'tools/images/airgap/nats/nats-config.sh');

/** Runs the image's generator with `env` alone (nothing leaks in from this process's environment). */
export function generateNatsConfig(env: Record<string, string>): string {
  return execFileSync('bash', [NATS_CONFIG_SCRIPT], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A private nats-server started from a configuration the image's generator wrote. */
export interface ImageConfiguredNats {
  server: TestNatsServer;
  dir: string;
  config: string;
  dispose(): Promise<void>;
}

export async function startImageConfiguredNats(env: Record<string, string>): Promise<ImageConfiguredNats> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-nats-conf-'));
  const port = await freePort();
  const config = generateNatsConfig({ NATS_STORE_DIR: join(dir, 'js'), NATS_PORT: String(port), NATS_HTTP_PORT: String(await freePort()), ...env });
  const file = join(dir, 'nats.conf');
  writeFileSync(file, config, { mode: 0o600 });
  const server = await TestNatsServer.start({ configFile: file, port });
  return {
    server,
    dir,
    config,
    dispose: async () => {
      await server.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PermissionViolation {
  operation: 'publish' | 'subscription';
  subject: string;
}

/** Records the permission violations the server reports to a connection (nats.js status events). */
export function watchViolations(nats: NatsConnection): PermissionViolation[] {
  const seen: PermissionViolation[] = [];
  void (async () => {
    for await (const status of nats.status()) {
      const context = (status as { permissionContext?: PermissionViolation }).permissionContext;
      if (context) seen.push({ operation: context.operation, subject: context.subject });
    }
  })();
  return seen;
}

/** Self-signed CA and a server (and client) certificate for 127.0.0.1/localhost, made with openssl. */
export interface TestCertificates {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  dispose(): void;
}

export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'berth-tls-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=berth test CA', '-keyout', at('ca.key'), '-out', at('ca.crt'));
  writeFileSync(at('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  writeFileSync(at('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, cn] of [['server', 'localhost'], ['client', 'berth-client']] as const) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', at(`${name}.key`), '-out', at(`${name}.csr`));
    openssl('x509', '-req', '-in', at(`${name}.csr`), '-CA', at('ca.crt'), '-CAkey', at('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', at(`${name}.ext`), '-out', at(`${name}.crt`));
  }
  return {
    dir,
    caFile: at('ca.crt'),
    certFile: at('server.crt'),
    keyFile: at('server.key'),
    clientCertFile: at('client.crt'),
    clientKeyFile: at('client.key'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
