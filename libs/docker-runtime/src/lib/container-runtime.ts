import type { Readable } from 'node:stream';

/** Kubernetes imagePullPolicy. */
export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

export type PortProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface HostPortRange {
  from: number;
  to: number;
}

export interface ContainerPortSpec {
  name?: string;
  containerPort: number;
  /** Default TCP. */
  protocol?: PortProtocol;
}

/** What the node-agent asks a runtime to run: one container of one replica. */
export interface ContainerSpec {
  replicaUid: string;
  /** Replica (pod) name; also the container's hostname when it is a valid DNS label. */
  name: string;
  namespace: string;
  deployment: string;
  node: string;
  /** Container name inside the pod template, when it has several. */
  containerName?: string;
  /** Restart attempt of this replica's container: part of the engine name so a restart never collides. */
  attempt?: number;
  image: string;
  /** Kubernetes `command`: replaces the image ENTRYPOINT (and drops its CMD). */
  command?: string[];
  /** Kubernetes `args`: replaces the image CMD. */
  args?: string[];
  env?: Record<string, string>;
  ports?: ContainerPortSpec[];
  /** CPU limit in millicores. */
  cpuMilli?: number;
  /** Memory limit in bytes (swap is limited to the same value, so exceeding it is a real OOM kill). */
  memoryBytes?: number;
  /** The node's advertise address the ports are published on, e.g. 127.0.0.2. */
  hostIp: string;
  /** Default 20000-29999: Nomad's dynamic range, cut below Kubernetes' NodePort range 30000-32767 so a container never takes a Service's port. */
  hostPortRange?: HostPortRange;
  /** Extra labels; the berth.* ones are always set by the runtime. */
  labels?: Record<string, string>;
}

export interface PublishedPort {
  name?: string;
  containerPort: number;
  protocol: PortProtocol;
  hostIp: string;
  hostPort: number;
}

export interface StartedContainer {
  containerId: string;
  /** Engine-side container name. */
  name: string;
  /** containerPort -> hostPort (the TCP binding wins when a port is declared for several protocols). */
  hostPorts: Record<number, number>;
  ports: PublishedPort[];
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** Kubernetes' terminated-state reasons; ContainerCannotRun = the engine could not start the process. */
export type ExitReason = 'Completed' | 'Error' | 'OOMKilled' | 'ContainerCannotRun';

export interface ContainerExit {
  reason: ExitReason;
  exitCode: number;
  oomKilled: boolean;
  message?: string;
}

export interface ContainerInfo {
  containerId: string;
  name: string;
  image: string;
  replicaUid: string;
  replicaName: string;
  node: string;
  deployment: string;
  namespace: string;
  labels: Record<string, string>;
  status: ContainerStatus;
  /** Set once the container has stopped (or failed to start). */
  exit?: ContainerExit;
  exitCode?: number;
  oomKilled: boolean;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  hostPorts: Record<number, number>;
  ports: PublishedPort[];
}

/** Label selectors; every field set must match. */
export interface ContainerFilter {
  node?: string;
  replicaUid?: string;
  deployment?: string;
  namespace?: string;
}

export interface EnsureImageResult {
  /** The reference with its default tag applied, as given to the engine. */
  image: string;
  imageId: string;
  pulled: boolean;
  /** Set when policy Always could not pull and a local copy was used instead (air-gapped hosts). */
  pullError?: string;
}

export interface ExecResult {
  /** null when the command timed out. */
  exitCode: number | null;
  /** stdout and stderr interleaved, truncated to a bounded size. */
  output: string;
  timedOut: boolean;
}

export interface ContainerStats {
  /** Like `docker stats`: 100 = one full core. */
  cpuPercent: number;
  /** Usage without the inactive page cache, like `docker stats`. */
  memoryBytes: number;
  memoryLimitBytes: number;
  at: Date;
}

export interface LogOptions {
  tailLines?: number;
  follow?: boolean;
  sinceSeconds?: number;
  /** Stop after this many bytes of log text. Default: 1 MiB without follow, unbounded with follow. */
  limitBytes?: number;
  timestamps?: boolean;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  line: string;
  /** RFC 3339 time from the engine, when timestamps were asked for. */
  timestamp?: string;
}

interface RuntimeEventBase {
  containerId: string;
  replicaUid?: string;
  node?: string;
  labels: Record<string, string>;
  at: Date;
}

export type RuntimeEvent =
  | (RuntimeEventBase & { type: 'start' })
  | (RuntimeEventBase & { type: 'oom' })
  | (RuntimeEventBase & { type: 'die'; exit: ContainerExit })
  | (RuntimeEventBase & { type: 'destroy' });

export interface EventsOptions extends ContainerFilter {
  /** Replay events since this time (to cover a reconnect gap). */
  since?: Date;
}

/** Live container events; iterate with `for await`, end with close(). Established when returned. */
export interface RuntimeEventSubscription extends AsyncIterable<RuntimeEvent> {
  close(): void;
}

/**
 * What a node-agent needs from the thing that runs containers (kubelet's CRI, narrowed).
 * Implemented by DockerRuntime and by the hollow (simulated) runtime used for scale tests.
 */
export interface ContainerRuntime {
  ensureImage(image: string, pullPolicy: PullPolicy): Promise<EnsureImageResult>;
  createAndStart(spec: ContainerSpec): Promise<StartedContainer>;
  /** SIGTERM, then SIGKILL after the grace period. A stopped container is not an error. */
  stop(containerId: string, gracePeriodSeconds: number): Promise<void>;
  /** Force-removes; removing a missing container is not an error. */
  remove(containerId: string): Promise<void>;
  /** Berth-managed containers (running or not) matching the filter. */
  list(filter?: ContainerFilter): Promise<ContainerInfo[]>;
  inspect(containerId: string): Promise<ContainerInfo>;
  exec(containerId: string, command: string[], timeoutMs: number): Promise<ExecResult>;
  stats(containerId: string): Promise<ContainerStats>;
  /** An object-mode stream of LogLine. */
  logs(containerId: string, options?: LogOptions): Promise<Readable>;
  events(options?: EventsOptions): Promise<RuntimeEventSubscription>;
}
