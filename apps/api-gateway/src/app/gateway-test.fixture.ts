import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { apiReadModelMigrations, hashToken, ProjectionPump, TokenRole } from '@berth/api-read-models';
import { createTestDatabase, TestDatabase } from '@berth/testing';
import { loadGatewayConfig } from './app.config';
import { AppModule } from './app.module';

export interface HttpAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is when a string or Buffer; JSON-encoded otherwise. */
  contentType?: string;
  token?: string;
  headers?: Record<string, string>;
}

/** A gateway running in this process (built exactly as main.ts builds it) on its own schema. */
export interface TestGateway {
  url: string;
  db: TestDatabase;
  app: INestApplication;
  pump: ProjectionPump;
  request<T = Record<string, unknown>>(method: string, path: string, options?: RequestOptions): Promise<HttpAnswer<T>>;
  /** A token with this role (cluster-wide without a namespace), created the way `berth admin create-token` does. */
  token(role: TokenRole, namespace?: string): Promise<{ id: string; secret: string }>;
  head(): Promise<number>;
  close(): Promise<void>;
}

export async function startTestGateway(prefix: string, env: Record<string, string> = {}): Promise<TestGateway> {
  const db = await createTestDatabase(prefix, { migrations: apiReadModelMigrations });
  const config = loadGatewayConfig({
    DATABASE_URL: db.options.url,
    DATABASE_SCHEMA: db.options.schema,
    NATS_URL: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
    RELAY_ENABLED: 'false',
    LOG_LEVEL: 'error',
    ANONYMOUS: 'true',
    ...env,
  });
  const app = await NestFactory.create(AppModule.forRoot(config), { logger: false, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const pump = app.get(ProjectionPump);
  const request = async <T,>(method: string, path: string, options: RequestOptions = {}): Promise<HttpAnswer<T>> => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    let body: string | Buffer | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' || Buffer.isBuffer(options.body) ? options.body : JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    } else if (options.contentType) headers['content-type'] = options.contentType;
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    const response = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed as T, text, headers: response.headers };
  };
  return {
    url,
    db,
    app,
    pump,
    request,
    token: async (role, namespace) => {
      const id = randomBytes(6).toString('hex');
      const secret = `berth_${id}_${randomBytes(32).toString('base64url')}`;
      const result = await db.store.append(`token:${id}`, 'no_stream', [{ type: 'TokenCreated', data: { role, ...(namespace ? { namespace } : {}), hash: hashToken(secret) } }]);
      await pump.waitFor(result.lastPosition);
      return { id, secret };
    },
    head: () => db.store.headPosition(),
    close: async () => {
      await app.close();
      await db.cleanup();
    },
  };
}

/** A minimal valid Deployment manifest. */
export function deploymentManifest(name: string, options: { replicas?: number; image?: string; namespace?: string; labels?: Record<string, string> } = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...(options.namespace ? { namespace: options.namespace } : {}), ...(options.labels ? { labels: options.labels } : {}) },
    spec: {
      replicas: options.replicas ?? 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: options.image ?? 'nginx:1.27', ports: [{ containerPort: 80 }] }] } },
    },
  };
}
