/** Every NATS subject Berth uses. Nothing else in the code base spells a subject by hand. */
export const EVENTS_STREAM = 'BERTH_EVENTS';
export const EVENTS_SUBJECT_PREFIX = 'berth.events';

export const Subjects = {
  /** All events of the log, as relayed to JetStream (wildcard for subscriptions). */
  allEvents: `${EVENTS_SUBJECT_PREFIX}.>`,
  /** One relayed event: `berth.events.<category>.<Type>`. */
  event: (category: string, type: string): string => `${EVENTS_SUBJECT_PREFIX}.${category}.${type}`,
  nodeHeartbeat: (node: string): string => `berth.node.${node}.heartbeat`,
  nodeReport: (node: string): string => `berth.node.${node}.report`,
  nodeStats: (node: string): string => `berth.node.${node}.stats`,
  nodeDesired: (node: string): string => `berth.node.${node}.desired`,
  nodeDesiredUpdate: (node: string): string => `berth.node.${node}.desired.update`,
  nodeLogs: (node: string): string => `berth.node.${node}.logs`,
  /** Request/reply: the cluster's services with their endpoints (NodeServices), on (re)connect. */
  nodeServices: (node: string): string => `berth.node.${node}.services`,
  /** Publish: the full NodeServices set whenever services or endpoints change. */
  nodeServicesUpdate: (node: string): string => `berth.node.${node}.services.update`,
  /** Everything a node-agent may use; its NATS credentials allow only this. */
  nodeAll: (node: string): string => `berth.node.${node}.>`,
  /** Inbox prefix of a node-agent's connection: replies to its requests stay inside its own subjects. */
  nodeInbox: (node: string): string => `berth.node.${node}.inbox`,
  /** Prefix of the reply subjects a log request names (`<prefix>.<id>`): the agent streams LogsChunks there. */
  nodeLogsReply: (node: string): string => `berth.node.${node}.logs.reply`,
  /** Wildcards used by the control plane to receive from every node. */
  anyNodeHeartbeat: 'berth.node.*.heartbeat',
  anyNodeReport: 'berth.node.*.report',
  anyNodeStats: 'berth.node.*.stats',
  anyNodeDesired: 'berth.node.*.desired',
  anyNodeServices: 'berth.node.*.services',
  /** Request/reply: metrics of replicas, nodes or services over a window (monitor answers). */
  metricsQuery: 'berth.metrics.query',
  /** Publish: the latest value of an external metric (the autoscaler keeps the last one per name). */
  externalMetric: (name: string): string => `berth.metrics.external.${name}`,
  anyExternalMetric: 'berth.metrics.external.>',
} as const;

/** Queue groups split work between copies of one control-plane app. */
export const QueueGroups = {
  monitor: 'berth-monitor',
  scheduler: 'berth-scheduler',
  autoscaler: 'berth-autoscaler',
  gateway: 'berth-gateway',
} as const;

/** Subject-safe token: NATS forbids '.', '*', '>' and whitespace inside a token. */
export function subjectToken(value: string): string {
  return value.replace(/[.*>\s]/g, '_');
}
