import { createHash, randomUUID } from 'node:crypto';

/**
 * A UUID (version 5 layout) derived from the fact a report states, e.g. ("node-1", containerId, "started").
 * The control plane records reportId as the event id, so the same fact reported again after an
 * agent restart (adoption) is recorded once.
 */
export function factReportId(...parts: string[]): string {
  const hash = createHash('sha1').update(parts.join('\u0000')).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** For reports of transitions that can legitimately repeat (ready, notReady, failed). */
export function randomReportId(): string {
  return randomUUID();
}
