import { PassThrough } from 'node:stream';
import type { RuntimeEvent } from './container-runtime';
import { DockerEventSubscription } from './docker-events';

function line(action: string, id: string, attributes: Record<string, string> = {}): string {
  return `${JSON.stringify({ Type: 'container', Action: action, id, timeNano: 1_700_000_000_000_000_000, Actor: { ID: id, Attributes: { name: 'x', image: 'i', 'berth.replica': `r-${id}`, 'berth.node': 'n1', ...attributes } } })}\n`;
}

async function take(subscription: DockerEventSubscription, count: number): Promise<RuntimeEvent[]> {
  const out: RuntimeEvent[] = [];
  for await (const event of subscription) {
    out.push(event);
    if (out.length === count) break;
  }
  return out;
}

describe('DockerEventSubscription', () => {
  it('parses events split across chunks and marks a die after an oom as OOMKilled', async () => {
    const source = new PassThrough();
    const inspected: string[] = [];
    const subscription = new DockerEventSubscription(source, async (id) => {
      inspected.push(id);
      return false;
    });
    const text = line('start', 'a') + line('oom', 'a') + line('die', 'a', { exitCode: '137' }) + line('die', 'b', { exitCode: '2' }) + line('destroy', 'b');
    const pending = take(subscription, 5);
    source.write(text.slice(0, 17));
    source.write(text.slice(17, 250));
    source.write(text.slice(250));
    const events = await pending;
    expect(events.map((e) => e.type)).toEqual(['start', 'oom', 'die', 'die', 'destroy']);
    expect(events[2]).toMatchObject({ containerId: 'a', replicaUid: 'r-a', node: 'n1', exit: { reason: 'OOMKilled', exitCode: 137 } });
    expect(events[3]).toMatchObject({ containerId: 'b', exit: { reason: 'Error', exitCode: 2, oomKilled: false } });
    expect(events[0].labels).toEqual({ 'berth.replica': 'r-a', 'berth.node': 'n1' });
    expect(events[0].at.getTime()).toBe(1_700_000_000_000);
    expect(inspected).toEqual([]);
  });

  it('asks the engine only for an ambiguous 137 without an oom event', async () => {
    const source = new PassThrough();
    const subscription = new DockerEventSubscription(source, async () => true);
    const pending = take(subscription, 2);
    source.write(line('die', 'c', { exitCode: '137' }) + line('die', 'd', { exitCode: '0' }));
    const [killed, completed] = await pending;
    expect(killed).toMatchObject({ type: 'die', exit: { reason: 'OOMKilled' } });
    expect(completed).toMatchObject({ type: 'die', exit: { reason: 'Completed', exitCode: 0 } });
  });

  it('ends the iteration quietly on close()', async () => {
    const source = new PassThrough();
    const subscription = new DockerEventSubscription(source, async () => false);
    const pending = take(subscription, 10);
    source.write(line('start', 'e'));
    setTimeout(() => subscription.close(), 20);
    expect((await pending).map((e) => e.type)).toEqual(['start']);
  });
});
