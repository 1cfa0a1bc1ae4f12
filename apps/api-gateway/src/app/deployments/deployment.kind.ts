import { FieldError, NewEvent, streamIds } from '@berth/contracts';
import { canonicalJson } from '@berth/cluster-state';
import { JsonObject } from '@berth/api-read-models';
import { DEPLOYMENTS } from '../resources/api-kinds';
import { ManifestKind } from '../resources/manifest-resources.service';

function specOf(manifest: JsonObject): JsonObject {
  return (manifest['spec'] as JsonObject | undefined) ?? {};
}

/** The manifest without the fields that have events of their own (scale, pause). */
function withoutScaleAndPause(manifest: JsonObject): JsonObject {
  return { ...manifest, spec: { ...specOf(manifest), replicas: undefined, paused: undefined } };
}

/**
 * The events of a Deployment update: a change of replicas alone is DeploymentScaled, of
 * `paused` alone DeploymentPaused/Resumed (the controller reacts to each), anything else
 * DeploymentUpdated with the whole manifest.
 */
export function deploymentUpdateEvents(current: JsonObject, next: JsonObject): NewEvent[] {
  if (canonicalJson(withoutScaleAndPause(current)) !== canonicalJson(withoutScaleAndPause(next))) {
    return [{ type: 'DeploymentUpdated', data: { manifest: next } }];
  }
  const events: NewEvent[] = [];
  const replicas = specOf(next)['replicas'];
  if (typeof replicas === 'number' && replicas !== specOf(current)['replicas']) events.push({ type: 'DeploymentScaled', data: { replicas } });
  const paused = specOf(next)['paused'] === true;
  if (paused !== (specOf(current)['paused'] === true)) events.push({ type: paused ? 'DeploymentPaused' : 'DeploymentResumed', data: {} });
  return events;
}

/**
 * `berth scale`, an autoscaler and `berth rollout pause` own spec.replicas and spec.paused: an
 * applied manifest that leaves them out keeps their live values (as kubectl apply does), so
 * re-applying a file neither undoes a scale nor resumes a paused rollout.
 */
export function keepScaleAndPause(submitted: JsonObject, current: JsonObject, next: JsonObject): JsonObject {
  const given = (submitted['spec'] ?? {}) as JsonObject;
  const spec = { ...specOf(next) };
  for (const field of ['replicas', 'paused']) {
    if (given[field] === undefined && specOf(current)[field] !== undefined) spec[field] = specOf(current)[field];
  }
  return { ...next, spec };
}

/** apps/v1 keeps spec.selector immutable. */
export function deploymentUpdateErrors(current: JsonObject, next: JsonObject): FieldError[] {
  const before = specOf(current)['selector'];
  const after = specOf(next)['selector'];
  return canonicalJson(before) === canonicalJson(after) ? [] : [{ type: 'Invalid', field: 'spec.selector', value: after, detail: 'field is immutable' }];
}

export const DEPLOYMENT_KIND: ManifestKind = {
  api: DEPLOYMENTS,
  streamId: (namespace, name) => streamIds.deployment(namespace ?? '', name),
  events: { created: 'DeploymentCreated', updated: 'DeploymentUpdated', deleted: 'DeploymentDeleted' },
  checkUpdate: deploymentUpdateErrors,
  updateEvents: deploymentUpdateEvents,
  keepOnApply: keepScaleAndPause,
};
