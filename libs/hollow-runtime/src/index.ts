export { HollowCluster, type HollowClusterOptions, type HollowClusterSummary } from './lib/hollow-cluster';
export { HollowRuntime, type HollowNodeOptions, type HollowNodeSummary } from './lib/hollow.runtime';
export { HollowScheduler, type HollowSchedulerOptions, type ScheduledAction } from './lib/hollow-scheduler';
export {
  DEFAULT_HOLLOW_BEHAVIOR,
  HOLLOW_ENV,
  parseQuantity,
  type HollowBehavior,
  type HollowCrash,
  type HollowCreateFailure,
  type HollowCreateFailureReason,
  type HollowDuration,
  type HollowExecRule,
} from './lib/hollow-behavior';
