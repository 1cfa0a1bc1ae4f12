import type { KubeObject } from '../client/api.types';
import { findResourceKind, ResourceKind } from '../resources/resource-kinds';
import { deployment, event, node, pod, service } from '../testing/objects.fixture';
import { NOW } from '../testing/run-cli.fixture';
import { describeObject } from './describers';

const kind = (name: string): ResourceKind => findResourceKind(name) as ResourceKind;
const describe_ = (k: string, object: unknown, extra: { events?: unknown[]; pods?: unknown[] } = {}): string =>
  describeObject(kind(k), object as KubeObject, { now: NOW, events: (extra.events ?? []) as never, ...(extra.pods ? { pods: extra.pods as never } : {}) });

describe('describe deployment', () => {
  it('prints the kubectl layout, then its events', () => {
    const d = deployment('web');
    (d.metadata as Record<string, unknown>).annotations = { 'deployment.kubernetes.io/revision': '2', 'kubectl.kubernetes.io/last-applied-configuration': '{}' };
    const events = [event({ kind: 'Deployment', name: 'web' }, 'ScalingReplicaSet', 'Scaled up replica set to 3', { count: 3, lastSeconds: 10, firstSeconds: 600 })];
    expect(describe_('deploy', d, { events })).toBe(
      [
        'Name:                   web',
        'Namespace:              default',
        'CreationTimestamp:      Wed, 01 May 2024 11:55:00 +0000',
        'Labels:                 app=web',
        'Annotations:            deployment.kubernetes.io/revision: 2',
        'Selector:               app=web',
        'Replicas:               3 desired | 3 updated | 3 total | 3 available | 0 unavailable',
        'StrategyType:           RollingUpdate',
        'MinReadySeconds:        0',
        'RollingUpdateStrategy:  25% max unavailable, 25% max surge',
        'Pod Template:',
        '  Labels:  app=web',
        '  Containers:',
        '   nginx:',
        '    Image:         nginx:latest',
        '    Port:          80/TCP',
        '    Host Port:     0/TCP',
        '    Environment:   <none>',
        '  Node-Selectors:  <none>',
        '  Tolerations:     <none>',
        'Conditions:',
        '  Type         Status  Reason',
        '  ----         ------  ------',
        '  Available    True    MinimumReplicasAvailable',
        '  Progressing  True    NewReplicaSetAvailable',
        'Events:',
        '  Type    Reason             Age                From                   Message',
        '  ----    ------             ----               ----                   -------',
        '  Normal  ScalingReplicaSet  10s (x3 over 10m)  deployment-controller  Scaled up replica set to 3',
        '',
      ].join('\n'),
    );
  });

  it('shows Recreate without rolling parameters, and Events: <none> when there are none', () => {
    const d = deployment('web');
    (d.spec as Record<string, unknown>).strategy = { type: 'Recreate' };
    const text = describe_('deploy', d);
    expect(text).toMatch(/\nStrategyType: +Recreate\n/);
    expect(text).not.toContain('RollingUpdateStrategy');
    expect(text).toMatch(/\nEvents: +<none>\n$/);
  });

  it('lists probes, resources, command and env of the template', () => {
    const d = deployment('web');
    d.spec.template.spec.containers[0] = {
      ...d.spec.template.spec.containers[0],
      command: ['httpd', '-f'],
      env: [{ name: 'MODE', value: 'prod' }],
      resources: { limits: { memory: '128Mi', cpu: '500m' } },
      livenessProbe: { httpGet: { path: '/healthz', port: 80, scheme: 'HTTP' }, periodSeconds: 5 },
      readinessProbe: { tcpSocket: { port: 80 } },
    } as never;
    const text = describe_('deploy', d);
    expect(text).toMatch(/ {4}Command:\n {6}httpd\n {6}-f\n/);
    expect(text).toMatch(/ {4}Limits:\n {6}cpu: +500m\n {6}memory: +128Mi\n/);
    expect(text).toMatch(/Liveness: +http-get http:\/\/:80\/healthz delay=0s timeout=1s period=5s #success=1 #failure=3\n/);
    expect(text).toMatch(/Readiness: +tcp-socket :80 delay=0s timeout=1s period=10s #success=1 #failure=3\n/);
    expect(text).toMatch(/Environment:\n {6}MODE: +prod\n/);
  });
});

describe('describe pod', () => {
  it('shows node, status, IP and container state', () => {
    const text = describe_('po', pod('web-1', { restarts: 2 }));
    expect(text).toMatch(/^Name: +web-1\nNamespace: +default\nNode: +node-1\/127\.0\.0\.2\n/);
    expect(text).toMatch(/\nStatus: +Running\nIP: +127\.0\.0\.2\nIPs:\n {2}IP: +127\.0\.0\.2\n/);
    expect(text).toMatch(/\n {4}State: +Running\n {6}Started: +Wed, 01 May 2024 11:58:20 \+0000\n {4}Ready: +True\n {4}Restart Count: +2\n/);
  });
  it('explains a waiting container', () => {
    expect(describe_('po', pod('web-1', { waiting: 'ImagePullBackOff', ready: false }))).toMatch(/State: +Waiting\n {6}Reason: +ImagePullBackOff\n/);
  });
});

describe('describe service', () => {
  it('lists each port with its target and node port', () => {
    const text = describe_('svc', service('web', { type: 'NodePort', nodePort: 30080 }));
    expect(text).toContain('Selector:     app=web\nType:         NodePort\nPort:         <unset>  80/TCP\nTargetPort:   80/TCP\nNodePort:     <unset>  30080/TCP\n');
  });
  it('shows the load balancer ingress or <pending>', () => {
    expect(describe_('svc', service('web', { type: 'LoadBalancer' }))).toMatch(/LoadBalancer Ingress: +<pending>\n/);
  });
});

describe('describe node', () => {
  it('shows conditions, capacity and the pods on it with their share of allocatable', () => {
    const p = pod('web-1');
    (p.spec.containers[0] as Record<string, unknown>).resources = { requests: { cpu: '250m', memory: '64Mi' }, limits: { memory: '128Mi' } };
    const text = describe_('no', node('node-1', { unschedulable: true }), { pods: [p] });
    expect(text).toMatch(/Unschedulable: +true\n/);
    expect(text).toMatch(/\n {2}Ready +True +<unset> +<unset> +AgentReady/);
    expect(text).toMatch(/Non-terminated Pods: +\(1 in total\)\n/);
    expect(text).toMatch(/\n {2}default +web-1 +250m \(6%\) +0 \(0%\) +64Mi \(0%\) +128Mi \(1%\) +2m\n/);
    expect(text).toMatch(/\n {2}cpu +250m \(6%\) +0 \(0%\)\n {2}memory +64Mi \(0%\) +128Mi \(1%\)\n/);
  });
});

describe('describe hpa', () => {
  it('shows metrics as current / target and the replica bounds', () => {
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'web' },
        minReplicas: 1,
        maxReplicas: 5,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
          { type: 'Pods', pods: { metric: { name: 'request_latency_ms' }, target: { type: 'AverageValue', averageValue: '200' } } },
        ],
      },
      status: {
        currentReplicas: 2,
        desiredReplicas: 3,
        currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 75, averageValue: '150m' } } }],
      },
    };
    const text = describe_('hpa', hpa);
    expect(text).toMatch(/Reference: +Deployment\/web\nMetrics: +\( current \/ target \)\n/);
    expect(text).toMatch(/ {2}resource cpu on pods {2}\(as a percentage of request\): +75% \(150m\) \/ 50%\n/);
    expect(text).toMatch(/ {2}"request_latency_ms" on pods: +<unknown> \/ 200\n/);
    expect(text).toMatch(/Deployment pods: +2 current \/ 3 desired\n/);
  });
});

describe('describe of other kinds', () => {
  it('falls back to YAML plus events', () => {
    const text = describe_('ev', event({ kind: 'Pod', name: 'x' }, 'Pulled', 'ok'));
    expect(text).toContain('kind: Event\n');
    expect(text).toContain('Events:  <none>\n');
  });
});

describe('the Events section', () => {
  it('lists events of the same second in log order (resourceVersion), oldest first', () => {
    const at = (e: ReturnType<typeof event>, resourceVersion: string) => ({ ...e, metadata: { ...e.metadata, resourceVersion } });
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'default' }, spec: {}, status: {} };
    const events = [
      at(event({ kind: 'Pod', name: 'x' }, 'Started', 'Started container web', { lastSeconds: 5 }), '16'),
      at(event({ kind: 'Pod', name: 'x' }, 'Scheduled', 'assigned to node-1', { lastSeconds: 5 }), '13'),
      at(event({ kind: 'Pod', name: 'x' }, 'Pulled', 'image present', { lastSeconds: 5 }), '14'),
      at(event({ kind: 'Pod', name: 'x' }, 'Killing', 'Stopping container web', { lastSeconds: 1 }), '9'),
    ];
    const reasons = describe_('pod', pod, { events })
      .split('\n')
      .filter((line) => line.startsWith('  Normal'))
      .map((line) => line.trim().split(/\s+/)[1]);
    expect(reasons).toEqual(['Scheduled', 'Pulled', 'Started', 'Killing']);
  });
});
