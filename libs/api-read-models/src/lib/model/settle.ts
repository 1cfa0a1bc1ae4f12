import { categoryOf } from '@berth/contracts';
import { ChangeType, JsonObject, ObjectRow } from './api-object.model';
import { foldDeployment } from './deployment.view';
import { RowFold } from './fold.model';
import { foldHpa, foldNamespace, foldService } from './manifest-object.view';
import { foldNode } from './node.view';
import { foldPod } from './pod.view';
import { sameObject, withResourceVersion } from './view-kit.util';

/** Which fold handles a stream, by the stream's category. */
export const FOLDS: Readonly<Record<string, RowFold>> = {
  namespace: foldNamespace,
  deployment: foldDeployment,
  service: foldService,
  hpa: foldHpa,
  node: foldNode,
  replica: foldPod,
};

export function foldFor(streamId: string): RowFold | undefined {
  return FOLDS[categoryOf(streamId)];
}

/** What to write for one folded event. */
export interface Settled {
  /** The row to store; null to remove it; undefined to leave it. */
  row: ObjectRow | null | undefined;
  /** The watch entry, when the visible object changed. */
  change?: { type: ChangeType; object: JsonObject };
}

/**
 * Decides what an event did to an object: a changed object gets the event's position as its
 * resourceVersion (and a watch entry); an unchanged one keeps its old one, so resourceVersion
 * is always the position of the last event that changed it.
 */
export function settle(previous: ObjectRow | undefined, next: ObjectRow | null | undefined, position: number): Settled {
  if (next === undefined) return { row: undefined };
  const wasVisible = previous !== undefined && !previous.deleted;
  if (next === null) {
    return { row: null, ...(wasVisible && previous ? { change: { type: 'DELETED', object: withResourceVersion(previous.object, position) } } : {}) };
  }
  const isVisible = !next.deleted;
  if (!wasVisible && !isVisible) return { row: { ...next, resourceVersion: previous?.resourceVersion ?? 0, object: previous?.object ?? next.object } };
  if (wasVisible && isVisible && previous && sameObject(previous.object, next.object)) {
    return { row: { ...next, resourceVersion: previous.resourceVersion, object: previous.object } };
  }
  const object = withResourceVersion(next.object, position);
  const row = { ...next, resourceVersion: position, object };
  if (!isVisible) return { row, change: { type: 'DELETED', object } };
  return { row, change: { type: wasVisible ? 'MODIFIED' : 'ADDED', object } };
}
