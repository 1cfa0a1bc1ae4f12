// The cluster as the log says it is: plain data folded from RecordedEvents by the reducer.
// Entity records are never mutated once built (the reducer replaces them), so a record read
// from one state stays valid after later events.

export type PodTemplate = Readonly<Record<string, unknown>>;
export type IntOrPercent = number | string;

export type DeploymentStrategyView =
  | { readonly type: 'RollingUpdate'; readonly maxSurge: IntOrPercent; readonly maxUnavailable: IntOrPercent }
  | { readonly type: 'Recreate' };

/** The fields of a Deployment's spec the control plane acts on, defaults filled like Kubernetes. */
export interface DeploymentSpecView {
  readonly replicas: number;
  readonly selector: Readonly<Record<string, unknown>>;
  readonly template: PodTemplate;
  readonly strategy: DeploymentStrategyView;
  readonly minReadySeconds: number;
  readonly revisionHistoryLimit: number;
  /** Absent: no deadline. */
  readonly progressDeadlineSeconds?: number;
  readonly paused: boolean;
}

export interface RevisionRecord {
  /** Renumbered to the newest when an older template comes back (Kubernetes does this on rollback). */
  readonly revision: number;
  readonly templateHash: string;
  readonly template: PodTemplate;
  /** Log position of the first DeploymentRevisionCreated for this hash: orders revisions by age. */
  readonly firstPosition: number;
  readonly createdAt: number;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface ConditionView {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason?: string;
  readonly message?: string;
  readonly lastUpdateTime?: string;
  readonly lastTransitionTime?: string;
}

/** Deployment status as the controller last recorded it (DeploymentStatusChanged). */
export interface DeploymentStatusView {
  readonly observedGeneration?: number;
  readonly replicas?: number;
  readonly updatedReplicas?: number;
  readonly readyReplicas?: number;
  readonly availableReplicas?: number;
  readonly unavailableReplicas?: number;
  readonly conditions?: readonly ConditionView[];
}

export interface DeploymentState {
  /** `<namespace>/<name>`. */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  /** Log position of the DeploymentCreated that began this incarnation (a re-created name is a new one). */
  readonly incarnation: number;
  readonly uid: string;
  /** The latest full manifest, with scale/pause/rollback folded in. */
  readonly manifest: Readonly<Record<string, unknown>>;
  readonly spec: DeploymentSpecView;
  /** Hash of spec.template (see templateHash). */
  readonly templateHash: string;
  /** Number of DeploymentCreated/DeploymentUpdated events of this incarnation. */
  readonly generation: number;
  readonly paused: boolean;
  /** Every revision ever recorded, oldest first by firstPosition. */
  readonly revisions: readonly RevisionRecord[];
  readonly status?: DeploymentStatusView;
  /** ReplicaCreated events owned by this incarnation: the next replica's ordinal. */
  readonly replicasCreated: number;
  readonly lastRollback?: { readonly toRevision: number; readonly found: boolean; readonly at: number };
  readonly deleted: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Version of the deployment stream: the expected version of the next append. */
  readonly version: number;
}

export const REPLICA_PHASES = ['Pending', 'Scheduled', 'Running', 'Ready', 'Failed', 'Succeeded', 'Terminating', 'Deleted'] as const;
export type ReplicaPhase = (typeof REPLICA_PHASES)[number];

export interface ReplicaState {
  readonly uid: string;
  readonly namespace: string;
  readonly deployment: string;
  /** `<namespace>/<deployment>`. */
  readonly deploymentKey: string;
  /** Incarnation of the deployment that created it (0 when it did not exist). */
  readonly ownerIncarnation: number;
  readonly revision: number;
  readonly templateHash: string;
  readonly template: PodTemplate;
  readonly priority: number;
  readonly phase: ReplicaPhase;
  readonly node?: string;
  readonly ready: boolean;
  readonly restartCount: number;
  readonly createdAt: number;
  readonly createdPosition: number;
  readonly scheduledAt?: number;
  readonly startedAt?: number;
  readonly readySince?: number;
  readonly containerId?: string;
  readonly hostIp?: string;
  readonly hostPorts?: Readonly<Record<string, number>>;
  readonly lastExit?: { readonly exitCode: number; readonly reason: string; readonly at: number };
  readonly failure?: { readonly reason: string; readonly message?: string; readonly at: number };
  /** Message of the last ReplicaUnschedulable (cleared when scheduled). */
  readonly unschedulableMessage?: string;
  readonly deletionRequested: boolean;
  readonly deletionReason?: string;
  readonly deletionRequestedAt?: number;
  /** The node's agent reported the container stopped. */
  readonly stopped: boolean;
  readonly version: number;
}

export type NodeCondition = 'Unknown' | 'Ready' | 'NotReady' | 'Lost';

export interface ResourceQuantity {
  readonly cpuMilli: number;
  readonly memoryBytes: number;
}

export interface TaintView {
  readonly key: string;
  readonly value?: string;
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface NodeState {
  readonly name: string;
  readonly registered: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly TaintView[];
  readonly capacity: ResourceQuantity;
  readonly allocatable: ResourceQuantity;
  readonly address: string;
  readonly info: Readonly<Record<string, string>>;
  readonly condition: NodeCondition;
  readonly ready: boolean;
  readonly lost: boolean;
  readonly conditionReason?: string;
  /** When `condition` last changed. */
  readonly conditionSince: number;
  readonly lostAt?: number;
  readonly cordoned: boolean;
  readonly drainRequested: boolean;
  readonly registeredAt?: number;
  readonly version: number;
}

export interface ClusterIndexes {
  /** deployment key -> replica uids (every incarnation). */
  readonly byDeployment: Map<string, Set<string>>;
  /** node -> uids of the replicas bound to it. */
  readonly byNode: Map<string, Set<string>>;
  /** Unbound replicas whose deletion was not requested. */
  readonly pending: Set<string>;
  /** Replicas whose deletion was requested and that are not deleted yet. */
  readonly terminating: Set<string>;
}

export interface ClusterState {
  /** Global position of the last event folded in (0: none). */
  position: number;
  readonly deployments: Map<string, DeploymentState>;
  /** Deleted replicas are dropped. */
  readonly replicas: Map<string, ReplicaState>;
  readonly nodes: Map<string, NodeState>;
  /** Services by `<namespace>/<name>`; deleted ones are dropped. */
  readonly services: Map<string, ServiceState>;
  readonly index: ClusterIndexes;
}

export type ServiceTypeView = 'ClusterIP' | 'NodePort' | 'LoadBalancer';

export interface ServicePortView {
  readonly name?: string;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  readonly appProtocol?: string;
  readonly port: number;
  /** A container port number, or the name of a container port. */
  readonly targetPort: number | string;
  /** NodePort/LoadBalancer only: declared, or allocated from the log (see allocateNodePort). */
  readonly nodePort?: number;
  /** Allocated by the gateway (every service type); absent for services recorded before cluster ports. */
  readonly clusterPort?: number;
}

export interface ServiceState {
  /** `<namespace>/<name>`. */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly type: ServiceTypeView;
  /** Absent or empty: no endpoints are managed (Kubernetes' selector-less Service). */
  readonly selector: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePortView[];
  readonly annotations: Readonly<Record<string, string>>;
  readonly manifest: Readonly<Record<string, unknown>>;
  /** Log position of the ServiceCreated that began this incarnation. */
  readonly createdPosition: number;
  readonly version: number;
}
