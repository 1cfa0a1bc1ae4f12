import { ClusterState, foldEvents } from '@berth/cluster-state';
import { RecordedEvent } from '@berth/contracts';
import { EventStore } from '@berth/event-store';

/** The whole log folded into cluster state, as a fresh reader would see it. */
export async function foldLog(store: EventStore): Promise<ClusterState> {
  const events: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll(events.at(-1)?.globalPosition ?? 0, 5_000);
    events.push(...page);
    if (page.length < 5_000) return foldEvents(events);
  }
}

/** Re-folds the log until `check` holds; the error names what was awaited. */
export async function waitForState(
  what: string,
  check: (state: ClusterState) => boolean,
  store: EventStore,
  timeoutMs = 60_000,
): Promise<ClusterState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await foldLog(store);
    if (check(state)) return state;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
