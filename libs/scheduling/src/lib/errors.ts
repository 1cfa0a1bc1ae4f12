import { FilterName, formatFitError, sortReasons } from './reasons';

/** No node passes every filter; `reasons` counts nodes per Kubernetes reason string. */
export class Unschedulable extends Error {
  override readonly name = 'Unschedulable';
  readonly kind = 'Unschedulable' as const;
  readonly reasons: ReadonlyMap<string, number>;

  constructor(
    readonly replica: string,
    readonly totalNodes: number,
    reasons: ReadonlyMap<string, number>,
    /** Nodes rejected by each filter (the first filter that failed on each node). */
    readonly filterFailures: Readonly<Partial<Record<FilterName, number>>>,
  ) {
    super(formatFitError(totalNodes, reasons));
    this.reasons = reasons;
  }

  /** Plain data for events and logs (a Map would serialize as {}). */
  toJSON(): { name: string; replica: string; message: string; totalNodes: number; reasons: Record<string, number>; filterFailures: Partial<Record<FilterName, number>> } {
    return {
      name: this.name,
      replica: this.replica,
      message: this.message,
      totalNodes: this.totalNodes,
      reasons: Object.fromEntries(sortReasons(this.reasons)),
      filterFailures: { ...this.filterFailures },
    };
  }
}

/** The snapshot cannot be indexed: duplicate node names, a replica bound to an unknown node, bad numbers. */
export class InvalidSnapshot extends Error {
  override readonly name = 'InvalidSnapshot';
}

/** A replica the engine cannot reason about: negative or non-finite requests, an unknown node to bind to. */
export class InvalidReplica extends Error {
  override readonly name = 'InvalidReplica';
  constructor(
    readonly replica: string,
    detail: string,
  ) {
    super(`replica ${replica}: ${detail}`);
  }
}
