import type { ExternalMetricValue, LabelSelector } from '@berth/autoscaling';
import { ExternalMetricSample } from '@berth/contracts';

interface StoredSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly at: number;
}

/** The last value of every external metric series (name + labels), as pushed on `berth.metrics.external.<name>`. */
export class ExternalMetricsStore {
  private readonly series = new Map<string, Map<string, StoredSample>>();

  constructor(private readonly maxAgeMs: number) {}

  record(name: string, sample: ExternalMetricSample, receivedAt: number): void {
    let byLabels = this.series.get(name);
    if (!byLabels) this.series.set(name, (byLabels = new Map()));
    byLabels.set(labelsKey(sample.labels), { labels: sample.labels, value: sample.value, at: sample.timestamp ?? receivedAt });
  }

  /** Fresh series of `name` the selector matches; undefined when there are none (a missing metric). */
  lookup(name: string, selector: LabelSelector | undefined, now: number): ExternalMetricValue | undefined {
    const values: number[] = [];
    for (const sample of this.series.get(name)?.values() ?? []) {
      if (now - sample.at <= this.maxAgeMs && matchesSelector(selector, sample.labels)) values.push(sample.value);
    }
    return values.length > 0 ? { metric: { name, ...(selector ? { selector } : {}) }, values } : undefined;
  }
}

function labelsKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Kubernetes label selector semantics; no selector matches everything. */
export function matchesSelector(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const requirement of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, requirement.key);
    const value = labels[requirement.key];
    const values = requirement.values ?? [];
    const ok =
      requirement.operator === 'In' ? has && values.includes(value)
      : requirement.operator === 'NotIn' ? !has || !values.includes(value)
      : requirement.operator === 'Exists' ? has
      : !has;
    if (!ok) return false;
  }
  return true;
}
