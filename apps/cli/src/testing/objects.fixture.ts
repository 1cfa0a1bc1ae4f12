import { ago } from './run-cli.fixture';

/** Objects shaped like the gateway's answers (Kubernetes shapes, defaults filled). */

export function deployment(name: string, options: { replicas?: number; ready?: number; updated?: number; available?: number; ageSeconds?: number; namespace?: string; image?: string } = {}) {
  const replicas = options.replicas ?? 3;
  return {
    apiVersion: 'apps/v1' as const,
    kind: 'Deployment' as const,
    metadata: {
      name,
      namespace: options.namespace ?? 'default',
      uid: `uid-${name}`,
      resourceVersion: '42',
      generation: 1,
      creationTimestamp: ago(options.ageSeconds ?? 300),
      labels: { app: name },
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'nginx', image: options.image ?? 'nginx:latest', imagePullPolicy: 'Always', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      minReadySeconds: 0,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      paused: false,
    },
    status: {
      observedGeneration: 1,
      replicas,
      updatedReplicas: options.updated ?? replicas,
      readyReplicas: options.ready ?? replicas,
      availableReplicas: options.available ?? options.ready ?? replicas,
      conditions: [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
      ],
    },
  };
}

export function pod(name: string, options: { node?: string; phase?: string; ready?: boolean; restarts?: number; ageSeconds?: number; ip?: string; namespace?: string; waiting?: string } = {}) {
  const ready = options.ready ?? true;
  return {
    apiVersion: 'v1' as const,
    kind: 'Pod' as const,
    metadata: { name, namespace: options.namespace ?? 'default', uid: `uid-${name}`, resourceVersion: '50', creationTimestamp: ago(options.ageSeconds ?? 120), labels: { app: 'web' } },
    spec: { nodeName: options.node ?? 'node-1', containers: [{ name: 'nginx', image: 'nginx:latest', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
    status: {
      phase: options.phase ?? 'Running',
      hostIP: '127.0.0.2',
      podIP: options.ip ?? '127.0.0.2',
      containerStatuses: [
        {
          name: 'nginx',
          ready,
          restartCount: options.restarts ?? 0,
          state: options.waiting ? { waiting: { reason: options.waiting } } : { running: { startedAt: ago(100) } },
        },
      ],
    },
  };
}

export function service(name: string, options: { type?: string; nodePort?: number; ageSeconds?: number } = {}) {
  return {
    apiVersion: 'v1' as const,
    kind: 'Service' as const,
    metadata: { name, namespace: 'default', resourceVersion: '43', creationTimestamp: ago(options.ageSeconds ?? 300) },
    spec: {
      type: options.type ?? 'ClusterIP',
      selector: { app: name },
      ports: [{ port: 80, targetPort: 80, protocol: 'TCP', ...(options.nodePort ? { nodePort: options.nodePort } : {}) }],
    },
  };
}

export function node(name: string, options: { ready?: boolean; unschedulable?: boolean; ageSeconds?: number } = {}) {
  return {
    apiVersion: 'v1' as const,
    kind: 'Node' as const,
    metadata: { name, resourceVersion: '7', creationTimestamp: ago(options.ageSeconds ?? 86400 * 4), labels: { 'kubernetes.io/hostname': name } },
    spec: { unschedulable: options.unschedulable ?? false },
    status: {
      capacity: { cpu: '4', memory: '8Gi' },
      allocatable: { cpu: '4', memory: '8Gi' },
      conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True', reason: 'AgentReady' }],
      addresses: [{ type: 'InternalIP', address: '127.0.0.2' }],
      nodeInfo: { kubeletVersion: 'berth-0.1.0', osImage: 'Debian', kernelVersion: '6.1', containerRuntimeVersion: 'docker://24.0' },
    },
  };
}

export function event(object: { kind: string; name: string; namespace?: string }, reason: string, message: string, options: { type?: string; count?: number; lastSeconds?: number; firstSeconds?: number } = {}) {
  return {
    apiVersion: 'v1' as const,
    kind: 'Event' as const,
    metadata: { name: `${object.name}.${reason.toLowerCase()}`, namespace: object.namespace ?? 'default' },
    involvedObject: { kind: object.kind, name: object.name, namespace: object.namespace ?? 'default' },
    reason,
    message,
    type: options.type ?? 'Normal',
    count: options.count ?? 1,
    source: { component: 'deployment-controller' },
    firstTimestamp: ago(options.firstSeconds ?? options.lastSeconds ?? 10),
    lastTimestamp: ago(options.lastSeconds ?? 10),
  };
}
