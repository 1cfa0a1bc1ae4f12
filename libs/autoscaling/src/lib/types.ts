// Input and output shapes of the replica calculator. Spec types follow autoscaling/v2
// HorizontalPodAutoscaler field names so a manifest's `spec` can be passed as is.

/** A Kubernetes quantity: a plain number in base units (cores, bytes) or a string like "250m", "512Mi". */
export type Quantity = number | string;

export interface CrossVersionObjectReference {
  apiVersion?: string;
  kind: string;
  name: string;
}

export type ResourceName = 'cpu' | 'memory';

export type MetricTargetType = 'Utilization' | 'AverageValue' | 'Value';

export interface MetricTarget {
  type: MetricTargetType;
  /** Percentage of the pods' summed requests (Resource metrics only). */
  averageUtilization?: number;
  averageValue?: Quantity;
  value?: Quantity;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface MetricIdentifier {
  name: string;
  selector?: LabelSelector;
}

export interface ResourceMetricSource {
  name: ResourceName;
  target: MetricTarget;
}

export interface PodsMetricSource {
  metric: MetricIdentifier;
  target: MetricTarget;
}

export interface ObjectMetricSource {
  describedObject: CrossVersionObjectReference;
  metric: MetricIdentifier;
  target: MetricTarget;
}

export interface ExternalMetricSource {
  metric: MetricIdentifier;
  target: MetricTarget;
}

export type MetricSourceType = 'Resource' | 'Pods' | 'Object' | 'External';

export interface MetricSpec {
  type: MetricSourceType;
  resource?: ResourceMetricSource;
  pods?: PodsMetricSource;
  object?: ObjectMetricSource;
  external?: ExternalMetricSource;
}

export type ScalingPolicyType = 'Pods' | 'Percent';

export interface HpaScalingPolicy {
  type: ScalingPolicyType;
  value: number;
  periodSeconds: number;
}

export type ScalingPolicySelect = 'Max' | 'Min' | 'Disabled';

export interface HpaScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: ScalingPolicySelect;
  policies?: HpaScalingPolicy[];
  /** Per-direction tolerance (Kubernetes 1.33 HPAConfigurableTolerance); defaults to the global tolerance. */
  tolerance?: Quantity;
}

export interface HorizontalPodAutoscalerBehavior {
  scaleUp?: HpaScalingRules;
  scaleDown?: HpaScalingRules;
}

export interface HorizontalPodAutoscalerSpec {
  scaleTargetRef: CrossVersionObjectReference;
  /** Defaults to 1; 0 only with `allowScaleToZero` and at least one Object or External metric. */
  minReplicas?: number;
  maxReplicas: number;
  /** Defaults to cpu Utilization 80%, like the API server. */
  metrics?: MetricSpec[];
  /** Missing fields take the documented Kubernetes defaults. */
  behavior?: HorizontalPodAutoscalerBehavior;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

/** One pod selected by the scale target, with its latest metric samples. Times are epoch milliseconds. */
export interface PodSample {
  name: string;
  phase: PodPhase;
  /** metadata.deletionTimestamp is set: the pod is ignored. */
  deleting?: boolean;
  /** Status of the pod's Ready condition; undefined when the pod has no Ready condition yet. */
  ready?: boolean;
  /** lastTransitionTime of the Ready condition. */
  readyTransitionTime?: number;
  /** status.startTime; undefined when the pod has not started. */
  startTime?: number;
  /**
   * Requests summed over the pod's containers. Leave a resource out when any container lacks a
   * request for it: Kubernetes then refuses to compute utilization ("missing request for cpu").
   */
  requests?: Partial<Record<ResourceName, Quantity>>;
  /** Resource usage (metrics.k8s.io); a resource left out is a missing metric for this pod. */
  usage?: Partial<Record<ResourceName, Quantity>>;
  /** When the usage sample ends; defaults to `now`. */
  usageTimestamp?: number;
  /** Length of the usage sample's collection window; defaults to 0. */
  usageWindowSeconds?: number;
  /** Pods metric values (custom.metrics.k8s.io) by metric name; a name left out is a missing metric. */
  metrics?: Record<string, Quantity>;
}

/** The value of an Object metric, matched to a metric spec by describedObject kind/name, metric name and selector. */
export interface ObjectMetricValue {
  describedObject: CrossVersionObjectReference;
  metric: MetricIdentifier;
  value: Quantity;
}

/** Every series an External metric selector matched; Kubernetes sums them. */
export interface ExternalMetricValue {
  metric: MetricIdentifier;
  values: Quantity[];
}

/** An unstabilized recommendation the controller made, kept for the stabilization windows. */
export interface TimestampedRecommendation {
  timestamp: number;
  replicas: number;
}

/** A rescale the controller performed: replicaChange > 0 for scale-up, < 0 for scale-down. */
export interface ScaleEvent {
  timestamp: number;
  replicaChange: number;
}

export interface HpaInput {
  spec: HorizontalPodAutoscalerSpec;
  /** scale.spec.replicas of the target. */
  currentReplicas: number;
  /** scale.status.replicas (pods that exist); defaults to currentReplicas. Used by AverageValue Object/External metrics. */
  statusReplicas?: number;
  pods: PodSample[];
  objectMetrics?: ObjectMetricValue[];
  externalMetrics?: ExternalMetricValue[];
  /** Recommendations returned by earlier calls (`decision.recommendations`). */
  recommendations?: TimestampedRecommendation[];
  /** Rescales actually applied earlier (`decision.scaleEvent` of each applied decision). */
  scaleEvents?: ScaleEvent[];
  /** Epoch milliseconds. */
  now: number;
}

/** Controller-wide settings, the equivalents of kube-controller-manager's --horizontal-pod-autoscaler-* flags. */
export interface HpaOptions {
  /** --horizontal-pod-autoscaler-tolerance, default 0.1. */
  tolerance?: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period, default 300 s. */
  cpuInitializationPeriodSeconds?: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay, default 30 s. */
  initialReadinessDelaySeconds?: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization, default 300 s. */
  downscaleStabilizationWindowSeconds?: number;
  /** The HPAScaleToZero feature gate: allows minReplicas 0. Default false. */
  allowScaleToZero?: boolean;
}

export type HpaConditionType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';

export interface HpaCondition {
  type: HpaConditionType;
  status: 'True' | 'False';
  reason: string;
  message: string;
}

/** A Kubernetes-style event the controller would record for this evaluation. */
export interface HpaEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** The current value of a metric, as in autoscaling/v2 MetricValueStatus (base units). */
export interface MetricValueStatus {
  averageUtilization?: number;
  averageValue?: number;
  value?: number;
}

export interface PodGroups {
  /** Pods whose samples were used as they are. */
  ready: string[];
  /** Pending pods, and for cpu pods not yet ready: counted as 0 on scale-up, left out otherwise. */
  unready: string[];
  /** Pods without a sample: 0 on scale-up, the target on scale-down. */
  missing: string[];
  /** Deleted or failed pods: never counted. */
  ignored: string[];
}

export interface MetricEvaluation {
  index: number;
  type: MetricSourceType;
  /** Kubernetes' description of the metric, e.g. "cpu resource utilization (percentage of request)". */
  description: string;
  current?: MetricValueStatus;
  /** current / target before the missing and unready pods were accounted for. */
  usageRatio?: number;
  /** Replica count this metric asks for. */
  proposal?: number;
  pods?: PodGroups;
  /** Why this metric could not be used. */
  error?: string;
  /** Condition reason for the error, e.g. FailedGetResourceMetric. */
  errorReason?: string;
}

export type ScalingLimitedReason = 'DesiredWithinRange' | 'TooFewReplicas' | 'TooManyReplicas' | 'ScaleUpLimit' | 'ScaleDownLimit';

export type StabilizationReason = 'ScaleUpStabilized' | 'ScaleDownStabilized';

export interface HpaDecision {
  currentReplicas: number;
  /** The replica count to set on the target; equals currentReplicas when `rescale` is false. */
  desiredReplicas: number;
  rescale: boolean;
  /** Rescale reason in Kubernetes' words ("cpu resource utilization (percentage of request) above target"), or why nothing changed. */
  reason: string;
  metrics: MetricEvaluation[];
  /** Largest proposal of the usable metrics, before stabilization and limits. */
  metricProposal?: number;
  /** Description of the metric that made metricProposal. */
  metricName?: string;
  /** metricProposal after the stabilization windows. */
  stabilizedReplicas?: number;
  /** Set when the stabilization window changed the proposal. */
  stabilization?: StabilizationReason;
  /** Reason of the ScalingLimited condition: which bound or rate limit applied, if any. */
  limit?: ScalingLimitedReason;
  /** Conditions this evaluation sets; a type left out keeps its previous value, as in Kubernetes. */
  conditions: HpaCondition[];
  events: HpaEvent[];
  /** The unstabilized recommendation recorded by this evaluation. */
  recommendation?: TimestampedRecommendation;
  /** Recommendation history to pass to the next call (pruned, including `recommendation`). */
  recommendations: TimestampedRecommendation[];
  /** The scale event to record once the rescale has been applied. */
  scaleEvent?: ScaleEvent;
  /** Input scale events still inside a policy period; store these plus `scaleEvent` if applied. */
  scaleEvents: ScaleEvent[];
}
