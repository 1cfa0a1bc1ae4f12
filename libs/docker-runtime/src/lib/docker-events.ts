import type { RuntimeEvent, RuntimeEventSubscription } from './container-runtime';
import { classifyExit } from './container-exit';
import { BERTH_LABELS } from './labels';

/** One line of the engine's /events stream (only what Berth reads). */
export interface EngineEvent {
  Type?: string;
  Action?: string;
  id?: string;
  time?: number;
  timeNano?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

const SIGKILL_EXIT = 137;
const OOM_MEMORY_LIMIT = 1_000;

/**
 * Turns the engine's newline-delimited JSON events into RuntimeEvents. A die carries its exit
 * classification: an oom seen just before marks it OOMKilled, and only an ambiguous 137 without
 * one costs an inspect.
 */
export class DockerEventSubscription implements RuntimeEventSubscription {
  private closed = false;
  private readonly oomSeen = new Set<string>();

  constructor(
    private readonly source: NodeJS.ReadableStream & { destroy?: () => void },
    private readonly wasOomKilled: (containerId: string) => Promise<boolean>,
  ) {}

  close(): void {
    this.closed = true;
    this.source.destroy?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RuntimeEvent> {
    let pending = '';
    try {
      for await (const chunk of this.source) {
        pending += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
        let newline: number;
        while ((newline = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          if (!line) continue;
          const event = await this.toRuntimeEvent(JSON.parse(line) as EngineEvent);
          if (event) yield event;
        }
      }
    } catch (error) {
      if (!this.closed) throw error;
    }
  }

  private async toRuntimeEvent(raw: EngineEvent): Promise<RuntimeEvent | undefined> {
    if (raw.Type !== undefined && raw.Type !== 'container') return undefined;
    const containerId = raw.Actor?.ID ?? raw.id;
    if (!containerId) return undefined;
    const attributes = raw.Actor?.Attributes ?? {};
    const base = {
      containerId,
      replicaUid: attributes[BERTH_LABELS.replica],
      node: attributes[BERTH_LABELS.node],
      labels: labelsOf(attributes),
      at: raw.timeNano ? new Date(raw.timeNano / 1e6) : new Date((raw.time ?? Date.now() / 1000) * 1000),
    };
    switch (raw.Action) {
      case 'start':
        this.oomSeen.delete(containerId);
        return { ...base, type: 'start' };
      case 'oom':
        this.oomSeen.add(containerId);
        if (this.oomSeen.size > OOM_MEMORY_LIMIT) this.oomSeen.delete(this.oomSeen.values().next().value as string);
        return { ...base, type: 'oom' };
      case 'die': {
        const exitCode = Number(attributes['exitCode'] ?? -1);
        let oomKilled = this.oomSeen.delete(containerId);
        if (!oomKilled && exitCode === SIGKILL_EXIT) oomKilled = await this.wasOomKilled(containerId).catch(() => false);
        return { ...base, type: 'die', exit: classifyExit({ exitCode, oomKilled }) };
      }
      case 'destroy':
        this.oomSeen.delete(containerId);
        return { ...base, type: 'destroy' };
      default:
        return undefined;
    }
  }
}

// Event attributes mix the container's labels with the engine's own fields.
const ENGINE_ATTRIBUTES = new Set(['name', 'image', 'exitCode', 'signal', 'execDuration']);

function labelsOf(attributes: Record<string, string>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (!ENGINE_ATTRIBUTES.has(key)) labels[key] = value;
  }
  return labels;
}
