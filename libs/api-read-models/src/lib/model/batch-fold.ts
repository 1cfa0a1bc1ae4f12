import { categoryOf, EventData, RecordedEvent } from '@berth/contracts';
import { ChangeType, JsonObject, ObjectRow, TOKEN_ROLES, TokenRole } from './api-object.model';
import { FoldLookups } from './fold.model';
import { KubeEventDraft, kubeEventName, kubeEventsFor, renderKubeEvent } from './kube-event.view';
import { foldFor, settle } from './settle';
import { normalizeTokenHash } from './token-hash.util';

/** A watch entry to record (`api_changes`). */
export interface ChangeEntry {
  position: number;
  seq: number;
  kind: string;
  namespace: string;
  name: string;
  type: ChangeType;
  object: JsonObject;
}

/** A token as TokenCreated (and maybe a TokenRevoked of the same batch) left it. */
export interface TokenWrite {
  id: string;
  hashHex: string | null;
  role: TokenRole;
  namespace: string | null;
  name: string | null;
  revoked: boolean;
  position: number;
}

/** Everything a batch of events does to the read models, ready to be written in one go. */
export interface BatchWrites {
  /** Final state of each stream row the batch touched: the row, or null when it is gone. */
  rows: Map<string, ObjectRow | null>;
  /** Final state of each Event object (by `namespace/name`). */
  kubeEvents: Map<string, { namespace: string; name: string; uid: string; position: number; object: JsonObject }>;
  changes: ChangeEntry[];
  tokens: Map<string, TokenWrite>;
  /** Revocations of tokens created before the batch: id -> position. */
  revocations: Map<string, number>;
}

/** Events whose fold ignores the previous row (a tombstone at most): it need not be read. */
export const CREATIONS: ReadonlySet<string> = new Set(['NamespaceCreated', 'DeploymentCreated', 'ServiceCreated', 'HorizontalPodAutoscalerCreated', 'ReplicaCreated']);

/** The rows an event's fold reads: its own stream's (unless it creates it), and its lookups. */
export function streamsRead(event: RecordedEvent): string[] {
  const streams = CREATIONS.has(event.type) ? [] : [event.streamId];
  if (event.type === 'ReplicaCreated') {
    const data = event.data as EventData<'ReplicaCreated'>;
    streams.push(`deployment:${data.namespace}/${data.deployment}`);
  }
  if (event.type === 'ReplicaScheduled') streams.push(`node:${(event.data as EventData<'ReplicaScheduled'>).node}`);
  return streams;
}

/** Key of an Event object: `namespace/name`. */
export function kubeEventKey(draft: KubeEventDraft): string {
  return `${draft.namespace}/${kubeEventName(draft)}`;
}

interface PendingDraft {
  event: RecordedEvent;
  seq: number;
  draft: KubeEventDraft;
}

/**
 * Folds a batch of events in log order. `rows` must hold every row `streamsRead` names that
 * exists (absent keys count as absent rows) and is updated in place; Events are rendered
 * afterwards by `renderKubeEvents`, once the existing ones they add to have been read.
 */
export function foldBatch(events: readonly RecordedEvent[], rows: Map<string, ObjectRow | null>): { writes: BatchWrites; drafts: PendingDraft[] } {
  const writes: BatchWrites = { rows: new Map(), kubeEvents: new Map(), changes: [], tokens: new Map(), revocations: new Map() };
  const drafts: PendingDraft[] = [];
  const rowOf = (streamId: string) => rows.get(streamId) ?? undefined;
  for (const event of events) {
    if (categoryOf(event.streamId) === 'token') {
      foldToken(event, writes);
      continue;
    }
    const fold = foldFor(event.streamId);
    if (!fold) continue;
    const previous = CREATIONS.has(event.type) ? undefined : rowOf(event.streamId);
    const lookups: FoldLookups = {};
    if (event.type === 'ReplicaCreated') {
      const data = event.data as EventData<'ReplicaCreated'>;
      lookups.deployment = rowOf(`deployment:${data.namespace}/${data.deployment}`);
    }
    if (event.type === 'ReplicaScheduled') lookups.node = rowOf(`node:${(event.data as EventData<'ReplicaScheduled'>).node}`);
    const settled = settle(previous, fold(previous, event, lookups), event.globalPosition);
    let seq = 0;
    if (settled.row !== undefined) {
      rows.set(event.streamId, settled.row);
      writes.rows.set(event.streamId, settled.row);
    }
    const subject = settled.row ?? previous;
    if (settled.change && subject) {
      writes.changes.push({ position: event.globalPosition, seq: seq++, kind: subject.kind, namespace: subject.namespace, name: subject.name, type: settled.change.type, object: settled.change.object });
    }
    for (const draft of kubeEventsFor(event, subject)) drafts.push({ event, seq: seq++, draft });
  }
  return { writes, drafts };
}

function foldToken(event: RecordedEvent, writes: BatchWrites): void {
  const id = event.streamId.slice('token:'.length);
  if (event.type === 'TokenCreated') {
    const data = event.data as EventData<'TokenCreated'>;
    writes.revocations.delete(id);
    writes.tokens.set(id, {
      id,
      hashHex: normalizeTokenHash(data.hash) ?? null,
      role: TOKEN_ROLES.includes(data.role) ? data.role : 'view',
      namespace: data.namespace || null,
      name: data.name ?? null,
      revoked: false,
      position: event.globalPosition,
    });
  } else if (event.type === 'TokenRevoked') {
    const created = writes.tokens.get(id);
    if (created) writes.tokens.set(id, { ...created, revoked: true, position: event.globalPosition });
    else writes.revocations.set(id, event.globalPosition);
  }
}

/**
 * Renders the Events of a batch in order, each occurrence counted onto the one before
 * (`existing` holds the stored Events the drafts add to, by `namespace/name`).
 */
export function renderKubeEvents(drafts: readonly PendingDraft[], existing: Map<string, JsonObject | null>, writes: BatchWrites): void {
  for (const { event, seq, draft } of drafts) {
    const key = kubeEventKey(draft);
    const previous = existing.get(key) ?? undefined;
    const object = renderKubeEvent(draft, event, previous);
    const meta = object['metadata'] as { name: string; uid: string };
    existing.set(key, object);
    writes.kubeEvents.set(key, { namespace: draft.namespace, name: meta.name, uid: meta.uid, position: event.globalPosition, object });
    writes.changes.push({ position: event.globalPosition, seq, kind: 'Event', namespace: draft.namespace, name: meta.name, type: previous ? 'MODIFIED' : 'ADDED', object });
  }
}
