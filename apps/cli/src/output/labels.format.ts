import type { LabelSelector } from '@berth/contracts';
import type { Wire } from '../client/api.types';

/** `app=web,tier=front`, sorted by key; `<none>` when empty. */
export function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

/** A label selector in the query syntax kubectl prints: `app=web,tier in (a,b),!canary`. */
export function formatLabelSelector(selector: Wire<LabelSelector> | undefined): string {
  if (!selector) return '<none>';
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${String(v)}`);
  for (const expression of selector.matchExpressions ?? []) {
    const key = expression?.key ?? '';
    const values = (expression?.values ?? []).join(',');
    switch (expression?.operator) {
      case 'In':
        parts.push(`${key} in (${values})`);
        break;
      case 'NotIn':
        parts.push(`${key} notin (${values})`);
        break;
      case 'Exists':
        parts.push(key);
        break;
      case 'DoesNotExist':
        parts.push(`!${key}`);
        break;
    }
  }
  return parts.length === 0 ? '<none>' : parts.join(',');
}
