import { Inject, Injectable } from '@nestjs/common';
import { Histogram } from 'prom-client';
import { EventMetadata, NewEvent } from '@berth/contracts';
import { AppendRequest, EventStore, WrongExpectedVersion } from '@berth/event-store';
import { ProjectionPump } from '@berth/api-read-models';
import { MetricsRegistry } from '@berth/service-kit';
import { GATEWAY_CONFIG, GatewayConfig } from '../app.config';
import { Caller } from '../shared/request-context';

/** Tries of a write whose stream moved under it (another writer appended first): each round one writer wins. */
const MAX_ATTEMPTS = 20;

export function eventMetadata(caller: Caller): EventMetadata {
  return { actor: caller.actor, correlationId: caller.requestId, ...(caller.traceId ? { traceId: caller.traceId } : {}) };
}

/** `deleted by token:abc`: the reason recorded with a deletion (at most 200 characters). */
export function reasonBy(verb: string, caller: Caller): string {
  return `${verb} by ${caller.actor}`.slice(0, 200);
}

/**
 * The only way the API writes: append with the expected versions read from the read model,
 * then wait until the read model shows the write (read-your-writes).
 */
@Injectable()
export class ObjectWriter {
  /** Where a write's time goes: the reads it decides on, the append (group commit included), the wait for the read model. */
  private readonly phases: Histogram<'phase'>;

  constructor(
    private readonly store: EventStore,
    private readonly pump: ProjectionPump,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    metrics: MetricsRegistry,
  ) {
    this.phases = new Histogram({
      name: 'berth_api_write_phase_seconds',
      help: 'Phases of a write: the reads it decides on (check), the append to the log (append, group commit included), the wait until the read model shows it (read_model)',
      labelNames: ['phase'],
      buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [metrics.registry],
    });
  }

  /**
   * Appends (all requests in one transaction) with the caller in the metadata; returns the last
   * position, once it is readable (unless `wait` is false: then the caller waits with `readable`).
   */
  async commit(caller: Caller, requests: { streamId: string; expected: AppendRequest['expected']; events: NewEvent[] }[], wait = true): Promise<number> {
    const metadata = eventMetadata(caller);
    const appending = this.phases.startTimer({ phase: 'append' });
    const result = await this.store.appendMany(requests.map((r) => ({ ...r, events: r.events.map((e) => ({ ...e, metadata })) })));
    appending();
    if (wait) await this.readable(result.lastPosition);
    return result.lastPosition;
  }

  /** Resolves once the read model holds every event up to `position` (within READ_WAIT_MS times `writes`). */
  async readable(position: number, writes = 1): Promise<void> {
    const waiting = this.phases.startTimer({ phase: 'read_model' });
    await this.pump.waitFor(position, this.config.READ_WAIT_MS * Math.max(1, writes));
    waiting();
  }

  /** Records `read` as the check phase of a write (the reads its decision rests on). */
  async checked<T>(read: Promise<T>): Promise<T> {
    const end = this.phases.startTimer({ phase: 'check' });
    try {
      return await read;
    } finally {
      end();
    }
  }

  /**
   * Runs a read-decide-append attempt again when its expected version was stale: the read model
   * is brought up to the log's head first, so the next attempt decides on what the winner wrote.
   */
  async retrying<T>(attempt: () => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof WrongExpectedVersion) || tries >= MAX_ATTEMPTS) throw error;
        await this.pump.waitFor(await this.store.headPosition(), this.config.READ_WAIT_MS);
        // Writers that lost together would retry in lockstep: spread them a little.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(tries, 10) * 2));
      }
    }
  }
}
