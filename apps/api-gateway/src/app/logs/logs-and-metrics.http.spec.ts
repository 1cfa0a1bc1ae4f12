import { randomUUID } from 'node:crypto';
import { connect, ErrorCode, NatsConnection, NatsError } from 'nats';
import { LogsChunk, logsRequestSchema, NewEvent, parseMessage, Subjects } from '@berth/contracts';
import { MetricsAnswer, metricsQuerySchema } from '@berth/read-models';
import { TestNatsServer } from '@berth/testing';
import { deploymentManifest, startTestGateway, TestGateway } from '../gateway-test.fixture';

/** NATS of its own: nothing else answers (or listens on) these subjects. */
describe('pod logs from the node and metrics from the monitor, over NATS', () => {
  let nats: TestNatsServer;
  let gw: TestGateway;
  let agent: NatsConnection;
  let podName: string;
  let podUid: string;
  const append = async (streamId: string, ...events: NewEvent[]) => gw.pump.waitFor((await gw.db.store.append(streamId, 'any', events)).lastPosition);

  beforeAll(async () => {
    nats = await TestNatsServer.start();
    gw = await startTestGateway('gwlogs', { NATS_URL: nats.url, LOGS_TIMEOUT_MS: '500', METRICS_TIMEOUT_MS: '300' });
    agent = await connect({ servers: nats.url });
    await append('node:logs-node', {
      type: 'NodeRegistered',
      data: { labels: {}, taints: [], capacity: { cpuMilli: 2000, memoryBytes: 2 ** 31 }, allocatable: { cpuMilli: 2000, memoryBytes: 2 ** 31 }, address: '127.0.0.3', info: {} },
    });
    const created = await gw.request<{ spec: { template: Record<string, unknown> } }>('POST', '/apis/apps/v1/namespaces/default/deployments', { body: deploymentManifest('talker', { replicas: 1 }) });
    podUid = randomUUID();
    await append(`replica:${podUid}`, { type: 'ReplicaCreated', data: { namespace: 'default', deployment: 'talker', revision: 1, templateHash: 'h', template: created.body.spec.template } });
    await append(`replica:${podUid}`, { type: 'ReplicaScheduled', data: { node: 'logs-node' } });
    const pods = await gw.request<{ items: { metadata: { name: string } }[] }>('GET', '/api/v1/namespaces/default/pods');
    podName = pods.body.items[0].metadata.name;
  });
  afterAll(async () => {
    await agent.drain();
    await gw.close();
    await nats.dispose();
  });

  it('returns the logs a node-agent sends for the pod (tailLines passed on)', async () => {
    const subscription = agent.subscribe(Subjects.nodeLogs('logs-node'), {
      callback: (_error, msg) => {
        const request = parseMessage(logsRequestSchema, msg.subject, msg.data);
        expect(request).toMatchObject({ replicaUid: podUid, tailLines: 2, follow: false });
        msg.respond(JSON.stringify({ lines: ['one', 'two'], done: false } satisfies LogsChunk));
        msg.respond(JSON.stringify({ lines: ['three'], done: true } satisfies LogsChunk));
      },
    });
    try {
      const answer = await gw.request('GET', `/api/v1/namespaces/default/pods/${podName}/log?tailLines=2`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toContain('text/plain');
      expect(answer.text).toBe('one\ntwo\nthree\n');
    } finally {
      subscription.unsubscribe();
    }
  });

  it('streams a follow until the client hangs up, and the agent then learns nobody listens', async () => {
    let reply = '';
    const subscription = agent.subscribe(Subjects.nodeLogs('logs-node'), {
      callback: (_error, msg) => {
        reply = msg.reply ?? '';
        msg.respond(JSON.stringify({ lines: ['first'], done: false } satisfies LogsChunk));
      },
    });
    try {
      const abort = new AbortController();
      const response = await fetch(`${gw.url}/api/v1/namespaces/default/pods/${podName}/log?follow=true`, { signal: abort.signal });
      expect(response.status).toBe(200);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let text = decoder.decode((await reader.read()).value);
      // The agent checks now and then that the requester still listens: the gateway answers.
      await agent.request(reply, JSON.stringify({ lines: [], done: false }), { timeout: 1_000 });
      agent.publish(reply, JSON.stringify({ lines: ['second', 'third'], done: false } satisfies LogsChunk));
      while (!text.includes('third')) text += decoder.decode((await reader.read()).value);
      expect(text).toBe('first\nsecond\nthird\n');
      abort.abort();
      let gone = false;
      for (let i = 0; i < 50 && !gone; i++) {
        try {
          await agent.request(reply, JSON.stringify({ lines: [], done: false }), { timeout: 200 });
          await new Promise((resolve) => setTimeout(resolve, 50));
        } catch (error) {
          gone = (error as NatsError).code === ErrorCode.NoResponders;
        }
      }
      expect(gone).toBe(true);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('answers 503 when the node-agent does not answer, 400 for a pod not on a node yet', async () => {
    const started = Date.now();
    const answer = await gw.request<{ reason: string }>('GET', `/api/v1/namespaces/default/pods/${podName}/log`);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable' });
    expect(Date.now() - started).toBeLessThan(2_000);
    const other = randomUUID();
    await append(`replica:${other}`, { type: 'ReplicaCreated', data: { namespace: 'default', deployment: 'talker', revision: 1, templateHash: 'h', template: {} } });
    const pods = await gw.request<{ items: { metadata: { name: string; uid: string } }[] }>('GET', '/api/v1/namespaces/default/pods');
    const pending = pods.body.items.find((p) => p.metadata.uid === other);
    expect((await gw.request('GET', `/api/v1/namespaces/default/pods/${pending?.metadata.name}/log`)).status).toBe(400);
  });

  it('serves node and pod metrics from the monitor, and 503 when it is silent', async () => {
    const silent = await gw.request<{ reason: string }>('GET', '/apis/metrics.k8s.io/v1beta1/nodes');
    expect(silent.status).toBe(503);
    expect(silent.body.reason).toBe('ServiceUnavailable');
    const monitor = agent.subscribe(Subjects.metricsQuery, {
      callback: (_error, msg) => {
        const query = parseMessage(metricsQuerySchema, msg.subject, msg.data);
        const items = query.names.map((name) => ({ name, samples: 4, cpuPercent: 25, memoryBytes: 64 * 1024 * 1024 }));
        msg.respond(JSON.stringify({ kind: query.kind, aggregate: query.aggregate, windowSeconds: query.windowSeconds, source: 'raw', at: Date.now(), items } satisfies MetricsAnswer));
      },
    });
    try {
      const nodes = await gw.request<{ kind: string; items: { metadata: { name: string }; usage: { cpu: string; memory: string } }[] }>('GET', '/apis/metrics.k8s.io/v1beta1/nodes');
      expect(nodes.status).toBe(200);
      expect(nodes.body.kind).toBe('NodeMetricsList');
      expect(nodes.body.items).toEqual([expect.objectContaining({ metadata: expect.objectContaining({ name: 'logs-node' }), usage: { cpu: '250m', memory: '65536Ki' } })]);
      const pods = await gw.request<{ items: { metadata: { name: string }; containers: { name: string; usage: { cpu: string } }[] }[] }>('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods');
      expect(pods.body.items.find((p) => p.metadata.name === podName)?.containers).toEqual([{ name: 'web', usage: { cpu: '250m', memory: '65536Ki' } }]);
      // labelSelector filters like metrics-server's (berth top pods -l); a bad one is a 400.
      type Names = { items: { metadata: { name: string } }[] };
      const names = async (path: string) => (await gw.request<Names>('GET', path)).body.items.map((p) => p.metadata.name);
      expect(await names('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dtalker')).toContain(podName);
      expect(await names('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dother')).toEqual([]);
      expect(await names('/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app,app%20notin%20(talker)')).toEqual([]);
      expect((await gw.request('GET', '/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app%20in%20(')).status).toBe(400);
    } finally {
      monitor.unsubscribe();
    }
  });
});
