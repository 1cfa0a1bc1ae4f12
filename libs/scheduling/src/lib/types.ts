// Input and output shapes of the placement engine. Field names follow Kubernetes (core/v1)
// so the scheduler app can map Deployment templates and Node objects onto them directly.

export type Labels = Readonly<Record<string, string>>;

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: TaintEffect;
}

export interface ResourceList {
  readonly cpuMilli: number;
  readonly memoryBytes: number;
}

export interface NodeAllocatable extends ResourceList {
  /** Maximum number of replicas on the node; absent means unlimited. */
  readonly pods?: number;
}

export interface ClusterNode {
  readonly name: string;
  readonly labels?: Labels;
  readonly taints?: readonly Taint[];
  readonly allocatable: NodeAllocatable;
  readonly ready: boolean;
  /** Cordoned. */
  readonly unschedulable?: boolean;
  /** Host ports already taken on the node by something other than the bound replicas. */
  readonly usedHostPorts?: readonly number[];
}

export type NodeSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';

export interface NodeSelectorRequirement {
  readonly key: string;
  readonly operator: NodeSelectorOperator;
  readonly values?: readonly string[];
}

export interface NodeSelectorTerm {
  readonly matchExpressions?: readonly NodeSelectorRequirement[];
}

export interface NodeSelector {
  readonly nodeSelectorTerms: readonly NodeSelectorTerm[];
}

export interface PreferredSchedulingTerm {
  readonly weight: number;
  readonly preference: NodeSelectorTerm;
}

export interface NodeAffinity {
  readonly requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector;
  readonly preferredDuringSchedulingIgnoredDuringExecution?: readonly PreferredSchedulingTerm[];
}

export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: LabelSelectorOperator;
  readonly values?: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

export interface PodAffinityTerm {
  /** Absent selects no replicas; `{}` selects every replica in the namespaces. */
  readonly labelSelector?: LabelSelector;
  readonly topologyKey: string;
  /** Absent means the replica's own namespace. */
  readonly namespaces?: readonly string[];
}

export interface WeightedPodAffinityTerm {
  readonly weight: number;
  readonly podAffinityTerm: PodAffinityTerm;
}

export interface PodAntiAffinity {
  readonly requiredDuringSchedulingIgnoredDuringExecution?: readonly PodAffinityTerm[];
  readonly preferredDuringSchedulingIgnoredDuringExecution?: readonly WeightedPodAffinityTerm[];
}

export interface Affinity {
  readonly nodeAffinity?: NodeAffinity;
  readonly podAntiAffinity?: PodAntiAffinity;
}

export type TolerationOperator = 'Equal' | 'Exists';

export interface Toleration {
  readonly key?: string;
  readonly operator?: TolerationOperator;
  readonly value?: string;
  readonly effect?: TaintEffect;
}

export type UnsatisfiableConstraintAction = 'DoNotSchedule' | 'ScheduleAnyway';

export interface TopologySpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly whenUnsatisfiable: UnsatisfiableConstraintAction;
  /** Counts replicas of the same namespace matching it; absent matches none. */
  readonly labelSelector?: LabelSelector;
}

export type ScoringStrategy = 'LeastAllocated' | 'MostAllocated';

export interface ReplicaSpec {
  readonly uid: string;
  readonly namespace: string;
  /** Owner key: the Deployment's name within the namespace. */
  readonly deployment: string;
  readonly labels?: Labels;
  /** Defaults to 0; higher schedules first and may preempt lower. */
  readonly priority?: number;
  readonly requests: ResourceList;
  readonly hostPorts?: readonly number[];
  readonly nodeSelector?: Labels;
  readonly affinity?: Affinity;
  readonly tolerations?: readonly Toleration[];
  readonly topologySpreadConstraints?: readonly TopologySpreadConstraint[];
  /** Per replica (in practice per deployment) override of the cluster strategy. */
  readonly scoringStrategy?: ScoringStrategy;
}

export type PendingReplica = ReplicaSpec;

export interface BoundReplica extends ReplicaSpec {
  readonly node: string;
}

export interface ScoreWeights {
  /** LeastAllocated / MostAllocated (NodeResourcesFit). */
  readonly resourceFit: number;
  readonly balancedAllocation: number;
  /** Preferred node affinity. */
  readonly nodeAffinity: number;
  /** Preferred pod anti-affinity. */
  readonly interPodAffinity: number;
  /** ScheduleAnyway spread constraints and the default spreading of a deployment's replicas. */
  readonly topologySpread: number;
  /** PreferNoSchedule taints. */
  readonly taintToleration: number;
}

export interface SchedulerOptions {
  /** Cluster-wide default; a replica's own scoringStrategy wins. Default LeastAllocated. */
  readonly scoringStrategy?: ScoringStrategy;
  /**
   * Stop filtering once this share of the cluster has been found feasible and score only those
   * (kube-scheduler's percentageOfNodesToScore). 0 or absent: adaptive, 50 - nodes/125, at least 5.
   */
  readonly percentageOfNodesToScore?: number;
  readonly weights?: Partial<ScoreWeights>;
  /** Mixed into the tie-breaking hash; same input and seed give the same output. */
  readonly seed?: number;
}

export interface ClusterSnapshot {
  readonly nodes: readonly ClusterNode[];
  /** Replicas already bound to nodes: they hold resources, ports and count for affinity and spread. */
  readonly replicas?: readonly BoundReplica[];
  readonly options?: SchedulerOptions;
}

export interface Placement {
  readonly kind: 'Scheduled';
  readonly replica: string;
  readonly node: string;
  readonly score: number;
}

export interface PreemptionVictim {
  readonly uid: string;
  readonly namespace: string;
  readonly deployment: string;
  readonly priority: number;
}

export interface PreemptionPlan {
  readonly kind: 'Preempt';
  readonly replica: string;
  readonly node: string;
  /** Ordered lowest priority first. */
  readonly victims: readonly PreemptionVictim[];
}

export interface NoPreemption {
  readonly kind: 'NoPreemption';
  readonly replica: string;
  readonly reason: string;
}

export type PreemptionResult = PreemptionPlan | NoPreemption;

export interface BatchProgress {
  readonly done: number;
  readonly total: number;
  readonly placed: number;
  readonly unschedulable: number;
}

export interface BatchOptions {
  /** Called every `progressEvery` replicas (default 5,000) and at the end. */
  readonly onProgress?: (progress: BatchProgress) => void;
  readonly progressEvery?: number;
}
