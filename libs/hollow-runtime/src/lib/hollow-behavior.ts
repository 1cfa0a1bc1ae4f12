import { CreateContainerConfigError } from '@berth/docker-runtime';

/** Fixed milliseconds, or uniform in [min, max] drawn from the container's seeded random source. */
export type HollowDuration = number | { min: number; max: number };

/** Errors a simulated create can fail with; RunContainerError fails at start, after the start delay. */
export type HollowCreateFailureReason =
  | 'CreateContainerError'
  | 'CreateContainerConfigError'
  | 'RunContainerError'
  | 'HostPortsUnavailable'
  | 'RuntimeUnavailable';

export interface HollowCreateFailure {
  /** 0..1, drawn once per createAndStart. */
  probability: number;
  /** Default CreateContainerError. */
  reason?: HollowCreateFailureReason;
  message?: string;
}

export interface HollowCrash {
  /** 0..1, drawn once when the container starts. Default 1. */
  probability?: number;
  /** Time after start at which it exits. */
  afterMs: HollowDuration;
  /** Default 1 (reason Error); 0 makes it a run-to-completion container (reason Completed). */
  exitCode?: number;
}

export interface HollowExecRule {
  /** Which commands: a substring of the space-joined argv, a RegExp over it, or the exact argv. Default: any. */
  command?: string | RegExp | string[];
  /** Applies only once the container has run this long (a probe that starts failing later). Default 0. */
  afterMs?: number;
  /** Default 0. */
  exitCode?: number;
  output?: string;
  /** Simulated run time; longer than the caller's timeout gives a timed-out result. Default 0. */
  durationMs?: HollowDuration;
}

/** How simulated containers behave; layered cluster < node < image < the container's HOLLOW_* env. */
export interface HollowBehavior {
  /** Create + start time (what createAndStart waits). Default 0. */
  startMs?: HollowDuration;
  /** ensureImage's pull time when it pulls. Default 0. */
  pullMs?: HollowDuration;
  createFailure?: HollowCreateFailure;
  crash?: HollowCrash;
  /** Simulated CPU use in millicores (stats: 1000 = 100 %). Default 10. */
  cpuMilli?: number;
  /** Simulated memory use; above the container's memoryBytes limit it is OOMKilled. Default 16 MiB. */
  memoryBytes?: number;
  /** How long after start an over-limit container is OOM-killed. Default 100. */
  oomAfterMs?: HollowDuration;
  /** Time to exit after SIGTERM; longer than the grace period means SIGKILL at its end. Default 0. */
  shutdownMs?: HollowDuration;
  /** Takes the full grace period and is then SIGKILLed (137). */
  ignoresSigterm?: boolean;
  /** Exit code after a SIGTERM it obeyed. Default 143 (128 + SIGTERM). */
  stopExitCode?: number;
  /** First matching rule decides; no match succeeds with exit 0. */
  exec?: HollowExecRule[];
  /** A synthetic log line every this many ms while running; 0 = only start and exit lines. Default 10000. */
  logIntervalMs?: number;
}

export interface ResolvedBehavior {
  startMs: HollowDuration;
  pullMs: HollowDuration;
  createFailure?: HollowCreateFailure;
  crash?: HollowCrash;
  cpuMilli: number;
  memoryBytes: number;
  oomAfterMs: HollowDuration;
  shutdownMs: HollowDuration;
  ignoresSigterm: boolean;
  stopExitCode: number;
  exec: HollowExecRule[];
  logIntervalMs: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_HOLLOW_BEHAVIOR: Readonly<ResolvedBehavior> = Object.freeze({
  startMs: 0,
  pullMs: 0,
  cpuMilli: 10,
  memoryBytes: 16 * MiB,
  oomAfterMs: 100,
  shutdownMs: 0,
  ignoresSigterm: false,
  stopExitCode: 143,
  exec: [],
  logIntervalMs: 10_000,
});

/** Later layers win field by field; exec rules of later layers are tried first. */
export function mergeBehaviors(layers: ReadonlyArray<HollowBehavior | undefined>): ResolvedBehavior {
  const merged: ResolvedBehavior = { ...DEFAULT_HOLLOW_BEHAVIOR, exec: [] };
  const execLayers: HollowExecRule[][] = [];
  for (const layer of layers) {
    if (!layer) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined && key !== 'exec') (merged as unknown as Record<string, unknown>)[key] = value;
    }
    if (layer.exec?.length) execLayers.unshift(layer.exec);
  }
  merged.exec = execLayers.flat();
  return merged;
}

export function sampleDuration(duration: HollowDuration, u: number): number {
  if (typeof duration === 'number') return duration;
  return Math.round(duration.min + u * (duration.max - duration.min));
}

/** Throws RangeError naming the bad field: configuration is checked when given, not when used. */
export function validateBehavior(behavior: HollowBehavior, where: string): void {
  const problems: string[] = [];
  const duration = (field: string, value: HollowDuration | undefined): void => {
    if (value === undefined) return;
    const ok =
      typeof value === 'number'
        ? value >= 0
        : Number.isFinite(value.min) && Number.isFinite(value.max) && value.min >= 0 && value.min <= value.max;
    if (!ok) problems.push(`${field}: expected ms >= 0 or {min, max} with 0 <= min <= max, got ${JSON.stringify(value)}`);
  };
  const probability = (field: string, value: number | undefined): void => {
    if (value !== undefined && !(value >= 0 && value <= 1)) problems.push(`${field}: expected 0..1, got ${value}`);
  };
  const nonNegative = (field: string, value: number | undefined): void => {
    if (value !== undefined && !(value >= 0)) problems.push(`${field}: expected >= 0, got ${value}`);
  };
  duration('startMs', behavior.startMs);
  duration('pullMs', behavior.pullMs);
  duration('oomAfterMs', behavior.oomAfterMs);
  duration('shutdownMs', behavior.shutdownMs);
  probability('createFailure.probability', behavior.createFailure?.probability);
  probability('crash.probability', behavior.crash?.probability);
  duration('crash.afterMs', behavior.crash?.afterMs);
  nonNegative('cpuMilli', behavior.cpuMilli);
  nonNegative('memoryBytes', behavior.memoryBytes);
  nonNegative('logIntervalMs', behavior.logIntervalMs);
  behavior.exec?.forEach((rule, i) => {
    duration(`exec[${i}].durationMs`, rule.durationMs);
    nonNegative(`exec[${i}].afterMs`, rule.afterMs);
  });
  if (problems.length) throw new RangeError(`invalid hollow behavior for ${where}: ${problems.join('; ')}`);
}

/** Container env variables the hollow runtime reads, so a Deployment's YAML can steer its simulation. */
export const HOLLOW_ENV = {
  /** Kubernetes CPU quantity ("250m", "1.5"): the simulated CPU use. */
  cpu: 'HOLLOW_CPU',
  /** Kubernetes memory quantity ("96Mi"): the simulated memory use. */
  memory: 'HOLLOW_MEMORY',
  startMs: 'HOLLOW_START_MS',
  /** Exits this long after start, with HOLLOW_EXIT_CODE (default 0). */
  exitAfterMs: 'HOLLOW_EXIT_AFTER_MS',
  exitCode: 'HOLLOW_EXIT_CODE',
  ignoreSigterm: 'HOLLOW_IGNORE_SIGTERM',
  /** Every exec (probe) exits with this code, from HOLLOW_EXEC_AFTER_MS after start (default 0). */
  execExitCode: 'HOLLOW_EXEC_EXIT_CODE',
  execAfterMs: 'HOLLOW_EXEC_AFTER_MS',
} as const;

const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/;
const FACTORS: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  Ki: 1024,
  M: 1e6,
  Mi: 1024 ** 2,
  G: 1e9,
  Gi: 1024 ** 3,
  T: 1e12,
  Ti: 1024 ** 4,
};

/** A Kubernetes resource quantity as a plain number (cores for CPU, bytes for memory). */
export function parseQuantity(text: string): number | undefined {
  const match = QUANTITY.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * FACTORS[match[2] ?? ''];
}

/** The HOLLOW_* env overrides; a malformed value fails the create, as a bad config would. */
export function behaviorFromEnv(env: Record<string, string> | undefined): HollowBehavior | undefined {
  if (!env) return undefined;
  const problems: string[] = [];
  const behavior: HollowBehavior = {};
  const integer = (key: string): number | undefined => {
    const text = env[key];
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isInteger(value) || value < 0) {
      problems.push(`env ${key}: Invalid value: "${text}"`);
      return undefined;
    }
    return value;
  };
  const quantity = (key: string): number | undefined => {
    const text = env[key];
    if (text === undefined) return undefined;
    const value = parseQuantity(text);
    if (value === undefined) problems.push(`env ${key}: Invalid value: "${text}"`);
    return value;
  };

  const cores = quantity(HOLLOW_ENV.cpu);
  if (cores !== undefined) behavior.cpuMilli = Math.round(cores * 1000);
  const memory = quantity(HOLLOW_ENV.memory);
  if (memory !== undefined) behavior.memoryBytes = Math.round(memory);
  behavior.startMs = integer(HOLLOW_ENV.startMs);
  const exitAfter = integer(HOLLOW_ENV.exitAfterMs);
  const exitCode = integer(HOLLOW_ENV.exitCode);
  if (exitAfter !== undefined) behavior.crash = { probability: 1, afterMs: exitAfter, exitCode: exitCode ?? 0 };
  const ignore = env[HOLLOW_ENV.ignoreSigterm];
  if (ignore !== undefined) behavior.ignoresSigterm = ignore === 'true' || ignore === '1';
  const execExit = integer(HOLLOW_ENV.execExitCode);
  const execAfter = integer(HOLLOW_ENV.execAfterMs);
  if (execExit !== undefined) behavior.exec = [{ exitCode: execExit, afterMs: execAfter ?? 0, output: `hollow: exec exits ${execExit}` }];

  if (problems.length) throw new CreateContainerConfigError(problems.join('; '));
  const set = Object.values(behavior).some((value) => value !== undefined);
  return set ? behavior : undefined;
}

export function execRuleMatches(rule: HollowExecRule, command: string[], runningMs: number): boolean {
  if (runningMs < (rule.afterMs ?? 0)) return false;
  const pattern = rule.command;
  if (pattern === undefined) return true;
  if (Array.isArray(pattern)) return pattern.length === command.length && pattern.every((part, i) => part === command[i]);
  const joined = command.join(' ');
  return typeof pattern === 'string' ? joined.includes(pattern) : pattern.test(joined);
}
