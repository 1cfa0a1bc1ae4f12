/** What the log last said about a node's health. `Unknown`: registered, no verdict yet. */
export const nodeConditions = ['Unknown', 'Ready', 'NotReady', 'Lost'] as const;
export type NodeCondition = (typeof nodeConditions)[number];

export interface NodeQuantity {
  cpuMilli: number;
  memoryBytes: number;
}

export interface NodeTaint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** A node as the `nodes` read model holds it (the last heartbeat time is deliberately absent: too hot). */
export interface NodeView {
  name: string;
  address: string;
  bootId: string | null;
  labels: Record<string, string>;
  taints: NodeTaint[];
  capacity: NodeQuantity;
  allocatable: NodeQuantity;
  info: Record<string, string>;
  condition: NodeCondition;
  conditionReason: string | null;
  lastTransitionAt: Date;
  /** Cordoned: the scheduler places nothing new here. */
  unschedulable: boolean;
  drainRequested: boolean;
  registeredAt: Date;
  /** Version of the `node:<name>` stream this row reflects: the expected version of the next append. */
  streamVersion: number;
  /** Global position of the last event applied to this row. */
  position: number;
}
