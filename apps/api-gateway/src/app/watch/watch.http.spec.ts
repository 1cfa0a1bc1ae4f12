import { ChangeFeed, ApiObjectReader } from '@berth/api-read-models';
import { deploymentManifest, startTestGateway, TestGateway } from '../gateway-test.fixture';

const NS = '/apis/apps/v1/namespaces/default/deployments';

interface WatchEvent {
  type: string;
  object: { metadata: { name?: string; resourceVersion: string; labels?: Record<string, string> } };
}

/** Reads a newline-delimited JSON watch until `until` says stop, then hangs up. */
async function watch(gw: TestGateway, path: string, until: (events: WatchEvent[]) => boolean, timeoutMs = 10_000): Promise<{ status: number; events: WatchEvent[]; contentType: string | null }> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const response = await fetch(`${gw.url}${path}`, { signal: abort.signal });
  const events: WatchEvent[] = [];
  if (response.status !== 200 || !response.body) {
    clearTimeout(timer);
    return { status: response.status, events, contentType: response.headers.get('content-type') };
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    while (!until(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buffer.slice(0, newline)) as WatchEvent);
        buffer = buffer.slice(newline + 1);
      }
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return { status: response.status, events, contentType: response.headers.get('content-type') };
}

const summary = (events: WatchEvent[]) => events.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type} ${e.object.metadata.name}`);

describe('watch (replay from the log, then live)', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway('gwwatch', { WATCH_BOOKMARK_SECONDS: '0.3' });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('replays from a resourceVersion, follows live changes, and resumes from any event it sent', async () => {
    const start = await gw.head();
    await gw.request('POST', NS, { body: deploymentManifest('a') });
    const live = watch(gw, `${NS}?watch=true&resourceVersion=${start}`, (events) => summary(events).length >= 4);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await gw.request('POST', NS, { body: deploymentManifest('b') });
    await gw.request('PATCH', `${NS}/a`, { body: { spec: { replicas: 7 } }, contentType: 'application/merge-patch+json' });
    await gw.request('DELETE', `${NS}/b`);
    // Another namespace and another kind do not show up.
    await gw.request('POST', '/api/v1/namespaces/default/services', { body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } } });
    const first = await live;
    expect(first.status).toBe(200);
    expect(first.contentType).toContain('application/json');
    expect(summary(first.events)).toEqual(['ADDED a', 'ADDED b', 'MODIFIED a', 'DELETED b']);
    const versions = first.events.filter((e) => e.type !== 'BOOKMARK').map((e) => Number(e.object.metadata.resourceVersion));
    expect(versions).toEqual([...versions].sort((x, y) => x - y));

    // Resuming from the second event's version gives exactly what followed it.
    const resumed = await watch(gw, `${NS}?watch=true&resourceVersion=${versions[1]}`, (events) => summary(events).length >= 2);
    expect(summary(resumed.events)).toEqual(['MODIFIED a', 'DELETED b']);
  });

  it('starts with the current objects when no resourceVersion is given, filtered by selectors', async () => {
    await gw.request('POST', NS, { body: deploymentManifest('labelled', { labels: { tier: 'front' } }) });
    const answer = await watch(gw, `${NS}?watch=true&labelSelector=tier%3Dfront`, (events) => events.length >= 1);
    expect(summary(answer.events)).toEqual(['ADDED labelled']);
    const byName = await watch(gw, `${NS}?watch=true&fieldSelector=metadata.name%3Da`, (events) => events.length >= 1);
    expect(summary(byName.events)).toEqual(['ADDED a']);
  });

  it('sends BOOKMARKs while quiet and ends at timeoutSeconds', async () => {
    const head = await gw.head();
    const started = Date.now();
    const answer = await watch(gw, `${NS}?watch=true&resourceVersion=${head}&timeoutSeconds=1`, () => false);
    expect(Date.now() - started).toBeLessThan(5_000);
    const bookmarks = answer.events.filter((e) => e.type === 'BOOKMARK');
    expect(bookmarks.length).toBeGreaterThanOrEqual(1);
    expect(Number(bookmarks[0].object.metadata.resourceVersion)).toBeGreaterThanOrEqual(head);
    expect(bookmarks[0].object).toMatchObject({ kind: 'Deployment', apiVersion: 'apps/v1' });
  });

  it('stops following when the client goes away', async () => {
    const feed = gw.app.get(ChangeFeed);
    const before = feed.watchers;
    await watch(gw, `${NS}?watch=true&resourceVersion=${await gw.head()}`, (events) => events.some((e) => e.type === 'BOOKMARK'));
    const deadline = Date.now() + 5_000;
    while (feed.watchers > before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(feed.watchers).toBe(before);
  });

  it('answers 410 Gone for a resourceVersion whose history was compacted', async () => {
    const head = await gw.head();
    await gw.app.get(ApiObjectReader).compactChanges(head - 1);
    const answer = await gw.request<{ reason: string; code: number }>('GET', `${NS}?watch=true&resourceVersion=1`);
    expect(answer.status).toBe(410);
    expect(answer.body).toMatchObject({ kind: 'Status', reason: 'Gone', code: 410 });
  });
});
