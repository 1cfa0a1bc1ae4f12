import type { Pod } from '@berth/contracts';
import type { Wire } from '../client/api.types';
import { age } from './age.format';

export type WirePod = Wire<Pod>;

/** READY: ready containers / containers, like kubectl (a container counts when ready and running). */
export function podReady(pod: WirePod): string {
  const total = pod.spec?.containers?.length ?? pod.status?.containerStatuses?.length ?? 0;
  const ready = (pod.status?.containerStatuses ?? []).filter((s) => s?.ready && s.state?.running).length;
  return `${ready}/${total}`;
}

/** STATUS as kubectl derives it: a container's waiting or terminated reason wins over the phase. */
export function podStatus(pod: WirePod): string {
  let reason = pod.status?.reason || pod.status?.phase || 'Unknown';
  let running = false;
  for (const container of [...(pod.status?.containerStatuses ?? [])].reverse()) {
    const state = container?.state;
    if (state?.waiting?.reason) reason = state.waiting.reason;
    else if (state?.terminated?.reason) reason = state.terminated.reason;
    else if (state?.terminated) {
      reason = state.terminated.signal ? `Signal:${state.terminated.signal}` : `ExitCode:${state.terminated.exitCode ?? 0}`;
    } else if (container?.ready && state?.running) running = true;
  }
  if (reason === 'Completed' && running) {
    const readyCondition = pod.status?.conditions?.find((c) => c?.type === 'Ready');
    reason = readyCondition?.status === 'True' ? 'Running' : 'NotReady';
  }
  if (pod.metadata?.deletionTimestamp) reason = 'Terminating';
  return reason;
}

/** RESTARTS: the sum over containers, with the age of the last restart: `3 (2m ago)`. */
export function podRestarts(pod: WirePod, now: number): string {
  let restarts = 0;
  let last: string | undefined;
  for (const container of pod.status?.containerStatuses ?? []) {
    restarts += container?.restartCount ?? 0;
    const finished = container?.lastState?.terminated?.finishedAt;
    if (finished && (!last || Date.parse(finished) > Date.parse(last))) last = finished;
  }
  return restarts > 0 && last ? `${restarts} (${age(last, now)} ago)` : String(restarts);
}
