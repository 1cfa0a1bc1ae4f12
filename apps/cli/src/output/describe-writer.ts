import type { Event } from '@berth/contracts';
import type { Wire } from '../client/api.types';
import { age } from './age.format';
import { compareEvents, eventLastSeen, eventSource } from './resource-tables';
import { DESCRIBE_LAYOUT, formatTabbed } from './tab-writer';

/** kubectl's PrefixWriter: two spaces per level, cells separated by tabs, aligned at the end. */
export class DescribeWriter {
  private readonly lines: string[] = [];

  /** One line (no newline) at an indentation level; tabs separate aligned cells. */
  write(level: number, text: string): void {
    this.lines.push('  '.repeat(level) + text);
  }

  /** `Label:<tab>value`. */
  field(level: number, label: string, value: string | number | boolean): void {
    this.write(level, `${label}:\t${String(value)}`);
  }

  /** `Labels:  a=b` then one `key=value` per line under it, `<none>` when empty. */
  labels(level: number, title: string, labels: Readonly<Record<string, string>> | undefined): void {
    this.multiline(level, title, Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`));
  }

  /** Annotations print as `key: value`; kubectl's last-applied copy is noise and is skipped. */
  annotations(level: number, title: string, annotations: Readonly<Record<string, string>> | undefined): void {
    const entries = Object.entries(annotations ?? {}).filter(([k]) => k !== 'kubectl.kubernetes.io/last-applied-configuration');
    this.multiline(level, title, entries.map(([k, v]) => `${k}: ${v}`));
  }

  /** Sorted values, the first beside the title and the rest aligned under it. */
  multiline(level: number, title: string, values: readonly string[]): void {
    if (values.length === 0) {
      this.field(level, title, '<none>');
      return;
    }
    const sorted = [...values].sort();
    this.field(level, title, sorted[0]);
    for (const value of sorted.slice(1)) this.write(level, `\t${value}`);
  }

  /** The `Events:` section, oldest first: `10s (x3 over 2m)` for repeated events. */
  events(events: readonly Wire<Event>[], now: number): void {
    if (events.length === 0) {
      this.field(0, 'Events', '<none>');
      return;
    }
    this.write(0, 'Events:');
    this.write(1, 'Type\tReason\tAge\tFrom\tMessage');
    this.write(1, '----\t------\t----\t----\t-------');
    for (const e of [...events].sort(compareEvents)) {
      const first = age(e.firstTimestamp ?? e.metadata?.creationTimestamp, now);
      const interval = (e.count ?? 1) > 1 ? `${age(eventLastSeen(e), now)} (x${e.count} over ${first})` : age(eventLastSeen(e), now);
      this.write(1, `${e.type ?? 'Normal'}\t${e.reason ?? ''}\t${interval}\t${eventSource(e)}\t${(e.message ?? '').trim()}`);
    }
  }

  toString(): string {
    return formatTabbed(this.lines.join('\n') + '\n', DESCRIBE_LAYOUT);
  }
}
