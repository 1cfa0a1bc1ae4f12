import { BERTH_LABELS } from '@berth/docker-runtime';

/** Labels the agent adds to what the runtime sets, so an adopting agent knows how to stop a container. */
export const AGENT_LABELS = {
  gracePeriod: 'berth.grace-period',
  templateHash: 'berth.template-hash',
} as const;

export function attemptOf(labels: Record<string, string>): number {
  const attempt = Number(labels[BERTH_LABELS.attempt] ?? 0);
  return Number.isInteger(attempt) && attempt >= 0 ? attempt : 0;
}

export function gracePeriodOf(labels: Record<string, string>): number | undefined {
  const raw = labels[AGENT_LABELS.gracePeriod];
  const grace = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(grace) && grace >= 0 ? grace : undefined;
}
