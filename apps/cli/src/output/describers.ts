import type {
  Container,
  ContainerState,
  ContainerStatus,
  Deployment,
  Event,
  HorizontalPodAutoscaler,
  Namespace,
  Node,
  PodTemplateSpec,
  Probe,
  Service,
  Toleration,
} from '@berth/contracts';
import type { KubeObject, Wire } from '../client/api.types';
import type { ResourceKind } from '../resources/resource-kinds';
import { age, describeTime } from './age.format';
import { DescribeWriter } from './describe-writer';
import { formatLabels, formatLabelSelector } from './labels.format';
import { toYaml } from './object.format';
import { WirePod } from './pod.format';
import { cpuOf, formatCpu, formatMemory, memoryOf, percentOf } from './quantity.format';
import { nodeRoles } from './resource-tables';

export interface DescribeContext {
  now: number;
  /** The object's events (GET events?fieldSelector=involvedObject.name=...). */
  events: readonly Wire<Event>[];
  /** For nodes: the pods bound to the node. */
  pods?: readonly WirePod[];
}

const orNone = (value: string | undefined): string => (value === undefined || value === '' ? '<none>' : value);

function header(w: DescribeWriter, object: KubeObject, namespaced: boolean): void {
  w.field(0, 'Name', object.metadata?.name ?? '');
  if (namespaced) w.field(0, 'Namespace', object.metadata?.namespace ?? '');
}

function describeProbe(probe: Wire<Probe>): string {
  const attrs = `delay=${probe.initialDelaySeconds ?? 0}s timeout=${probe.timeoutSeconds ?? 1}s period=${probe.periodSeconds ?? 10}s #success=${probe.successThreshold ?? 1} #failure=${probe.failureThreshold ?? 3}`;
  if (probe.exec) return `exec [${(probe.exec.command ?? []).join(' ')}] ${attrs}`;
  if (probe.httpGet) {
    const scheme = (probe.httpGet.scheme ?? 'HTTP').toLowerCase();
    return `http-get ${scheme}://${probe.httpGet.host ?? ''}:${String(probe.httpGet.port ?? '')}${probe.httpGet.path ?? '/'} ${attrs}`;
  }
  if (probe.tcpSocket) return `tcp-socket ${probe.tcpSocket.host ?? ''}:${String(probe.tcpSocket.port ?? '')} ${attrs}`;
  return `unknown ${attrs}`;
}

function describeState(w: DescribeWriter, title: string, state: Wire<ContainerState> | undefined): void {
  if (state?.running) {
    w.field(2, title, 'Running');
    w.field(3, 'Started', describeTime(state.running.startedAt));
  } else if (state?.terminated) {
    const t = state.terminated;
    w.field(2, title, 'Terminated');
    if (t.reason) w.field(3, 'Reason', t.reason);
    if (t.message) w.field(3, 'Message', t.message);
    w.field(3, 'Exit Code', t.exitCode ?? 0);
    if (t.signal) w.field(3, 'Signal', t.signal);
    w.field(3, 'Started', describeTime(t.startedAt));
    w.field(3, 'Finished', describeTime(t.finishedAt));
  } else {
    w.field(2, title, 'Waiting');
    if (state?.waiting?.reason) w.field(3, 'Reason', state.waiting.reason);
    if (state?.waiting?.message) w.field(3, 'Message', state.waiting.message);
  }
}

/** kubectl's describeContainers; `indent` is "  " inside a pod template. */
function describeContainers(w: DescribeWriter, containers: readonly Wire<Container>[], statuses: readonly Wire<ContainerStatus>[] | undefined, indent: string): void {
  w.write(0, `${indent}Containers:`);
  for (const c of containers) {
    const status = statuses?.find((s) => s?.name === c?.name);
    w.write(1, `${indent ? ' ' : ''}${c?.name ?? ''}:`);
    if (statuses) w.field(2, 'Container ID', status?.containerID ?? '');
    w.field(2, 'Image', c?.image ?? '');
    if (statuses) w.field(2, 'Image ID', status?.imageID ?? '');
    const ports = (c?.ports ?? []).map((p) => `${p?.containerPort ?? ''}/${p?.protocol ?? 'TCP'}`);
    const hostPorts = (c?.ports ?? []).map((p) => `${p?.hostPort ?? 0}/${p?.protocol ?? 'TCP'}`);
    w.field(2, ports.length > 1 ? 'Ports' : 'Port', orNone(ports.join(', ')));
    w.field(2, hostPorts.length > 1 ? 'Host Ports' : 'Host Port', orNone(hostPorts.join(', ')));
    for (const [title, lines] of [
      ['Command', c?.command],
      ['Args', c?.args],
    ] as const) {
      if (!lines?.length) continue;
      w.write(2, `${title}:`);
      for (const line of lines) w.write(3, line ?? '');
    }
    if (statuses) {
      describeState(w, 'State', status?.state);
      if (status?.lastState?.terminated) describeState(w, 'Last State', status.lastState);
      w.field(2, 'Ready', status?.ready ? 'True' : 'False');
      w.field(2, 'Restart Count', status?.restartCount ?? 0);
    }
    for (const [title, list] of [
      ['Limits', c?.resources?.limits],
      ['Requests', c?.resources?.requests],
    ] as const) {
      const entries = Object.entries(list ?? {}).sort(([a], [b]) => a.localeCompare(b));
      if (entries.length === 0) continue;
      w.write(2, `${title}:`);
      for (const [name, quantity] of entries) w.field(3, name, String(quantity));
    }
    if (c?.livenessProbe) w.field(2, 'Liveness', describeProbe(c.livenessProbe));
    if (c?.readinessProbe) w.field(2, 'Readiness', describeProbe(c.readinessProbe));
    if (c?.startupProbe) w.field(2, 'Startup', describeProbe(c.startupProbe));
    const env = c?.env ?? [];
    if (env.length === 0) w.field(2, 'Environment', '<none>');
    else {
      w.write(2, 'Environment:');
      for (const e of env) w.field(3, e?.name ?? '', e?.value ?? '');
    }
  }
}

/** kubectl's toleration line: `key=value:Effect`, `op=Exists` for value-less Exists, `for 300s`. */
function tolerationText(t: Wire<Toleration> | undefined): string {
  let text = t?.key ?? '';
  if (t?.value) text += `=${t.value}`;
  if (t?.effect) text += `:${t.effect}`;
  if (t?.operator === 'Exists' && !t.value) text += text === '' ? 'op=Exists' : ' op=Exists';
  if (t?.tolerationSeconds !== undefined) text += ` for ${t.tolerationSeconds}s`;
  return text;
}

function describePodTemplate(w: DescribeWriter, template: Wire<PodTemplateSpec> | undefined): void {
  w.write(0, 'Pod Template:');
  w.labels(0, '  Labels', template?.metadata?.labels as Record<string, string> | undefined);
  if (Object.keys(template?.metadata?.annotations ?? {}).length > 0) {
    w.annotations(0, '  Annotations', template?.metadata?.annotations as Record<string, string>);
  }
  describeContainers(w, template?.spec?.containers ?? [], undefined, '  ');
  w.multiline(0, '  Node-Selectors', Object.entries(template?.spec?.nodeSelector ?? {}).map(([k, v]) => `${k}=${String(v)}`));
  w.multiline(0, '  Tolerations', (template?.spec?.tolerations ?? []).map(tolerationText));
}

function conditionsTable(w: DescribeWriter, columns: readonly string[], rows: readonly string[][]): void {
  if (rows.length === 0) return;
  w.write(0, 'Conditions:');
  w.write(1, columns.join('\t'));
  w.write(1, columns.map((c) => '-'.repeat(c.length)).join('\t'));
  for (const row of rows) w.write(1, row.join('\t'));
}

export function describeDeployment(d: Wire<Deployment>, ctx: DescribeContext): string {
  const w = new DescribeWriter();
  header(w, d as KubeObject, true);
  w.field(0, 'CreationTimestamp', describeTime(d.metadata?.creationTimestamp));
  w.labels(0, 'Labels', d.metadata?.labels as Record<string, string> | undefined);
  w.annotations(0, 'Annotations', d.metadata?.annotations as Record<string, string> | undefined);
  w.field(0, 'Selector', formatLabelSelector(d.spec?.selector));
  const s = d.status;
  w.field(
    0,
    'Replicas',
    `${d.spec?.replicas ?? 0} desired | ${s?.updatedReplicas ?? 0} updated | ${s?.replicas ?? 0} total | ${s?.availableReplicas ?? 0} available | ${s?.unavailableReplicas ?? 0} unavailable`,
  );
  const strategy = d.spec?.strategy;
  w.field(0, 'StrategyType', strategy?.type ?? 'RollingUpdate');
  w.field(0, 'MinReadySeconds', d.spec?.minReadySeconds ?? 0);
  if (strategy?.type !== 'Recreate') {
    const rolling = strategy && 'rollingUpdate' in strategy ? strategy.rollingUpdate : undefined;
    w.field(0, 'RollingUpdateStrategy', `${String(rolling?.maxUnavailable ?? '25%')} max unavailable, ${String(rolling?.maxSurge ?? '25%')} max surge`);
  }
  if (d.spec?.paused) w.field(0, 'Paused', 'true');
  describePodTemplate(w, d.spec?.template);
  conditionsTable(
    w,
    ['Type', 'Status', 'Reason'],
    (s?.conditions ?? []).map((c) => [c?.type ?? '', c?.status ?? '', c?.reason ?? '']),
  );
  w.events(ctx.events, ctx.now);
  return w.toString();
}

export function describePod(p: WirePod, ctx: DescribeContext): string {
  const w = new DescribeWriter();
  header(w, p as KubeObject, true);
  if (p.spec?.priority !== undefined) w.field(0, 'Priority', p.spec.priority);
  w.field(0, 'Node', p.spec?.nodeName ? `${p.spec.nodeName}${p.status?.hostIP ? `/${p.status.hostIP}` : ''}` : '<none>');
  if (p.status?.startTime) w.field(0, 'Start Time', describeTime(p.status.startTime));
  w.labels(0, 'Labels', p.metadata?.labels as Record<string, string> | undefined);
  w.annotations(0, 'Annotations', p.metadata?.annotations as Record<string, string> | undefined);
  if (p.metadata?.deletionTimestamp) w.field(0, 'Status', `Terminating (lasts ${age(p.metadata.deletionTimestamp, ctx.now)})`);
  else w.field(0, 'Status', p.status?.phase ?? 'Unknown');
  if (p.status?.reason) w.field(0, 'Reason', p.status.reason);
  if (p.status?.message) w.field(0, 'Message', p.status.message);
  w.field(0, 'IP', p.status?.podIP ?? '');
  const listed = (p.status?.podIPs ?? []).map((ip) => ip?.ip ?? '').filter((ip) => ip !== '');
  const ips = listed.length === 0 && p.status?.podIP ? [p.status.podIP] : listed;
  if (ips.length === 0) w.field(0, 'IPs', '<none>');
  else {
    w.write(0, 'IPs:');
    for (const ip of ips) w.field(1, 'IP', ip);
  }
  describeContainers(w, p.spec?.containers ?? [], p.status?.containerStatuses ?? [], '');
  conditionsTable(
    w,
    ['Type', 'Status'],
    (p.status?.conditions ?? []).map((c) => [c?.type ?? '', c?.status ?? '']),
  );
  w.multiline(0, 'Node-Selectors', Object.entries(p.spec?.nodeSelector ?? {}).map(([k, v]) => `${k}=${String(v)}`));
  w.multiline(0, 'Tolerations', (p.spec?.tolerations ?? []).map(tolerationText));
  w.events(ctx.events, ctx.now);
  return w.toString();
}

type WireService = Wire<Service> & { spec?: { clusterIP?: string; externalIPs?: string[] } };

export function describeService(s: WireService, ctx: DescribeContext): string {
  const w = new DescribeWriter();
  header(w, s as KubeObject, true);
  w.labels(0, 'Labels', s.metadata?.labels as Record<string, string> | undefined);
  w.annotations(0, 'Annotations', s.metadata?.annotations as Record<string, string> | undefined);
  w.field(0, 'Selector', formatLabels(s.spec?.selector as Record<string, string> | undefined));
  w.field(0, 'Type', s.spec?.type ?? 'ClusterIP');
  if (s.spec?.clusterIP) w.field(0, 'IP', s.spec.clusterIP);
  if (s.spec?.externalIPs?.length) w.field(0, 'External IPs', s.spec.externalIPs.join(','));
  const ingress = (s.status?.loadBalancer?.ingress ?? []).map((i) => i?.ip || i?.hostname || '').filter((a) => a !== '');
  if (s.spec?.type === 'LoadBalancer') w.field(0, 'LoadBalancer Ingress', ingress.length > 0 ? ingress.join(', ') : '<pending>');
  for (const port of s.spec?.ports ?? []) {
    const protocol = port?.protocol ?? 'TCP';
    const name = port?.name || '<unset>';
    w.write(0, `Port:\t${name}\t${port?.port ?? ''}/${protocol}`);
    w.field(0, 'TargetPort', `${String(port?.targetPort ?? port?.port ?? '')}/${protocol}`);
    if (port?.nodePort) w.write(0, `NodePort:\t${name}\t${port.nodePort}/${protocol}`);
  }
  w.events(ctx.events, ctx.now);
  return w.toString();
}

function podRequests(pod: WirePod): { cpuRequests: number; cpuLimits: number; memoryRequests: number; memoryLimits: number } {
  const total = { cpuRequests: 0, cpuLimits: 0, memoryRequests: 0, memoryLimits: 0 };
  for (const c of pod.spec?.containers ?? []) {
    const limits = c?.resources?.limits ?? {};
    // Kubernetes copies a limit into a missing request.
    const requests = { ...limits, ...(c?.resources?.requests ?? {}) };
    total.cpuRequests += cpuOf(requests['cpu']) ?? 0;
    total.cpuLimits += cpuOf(limits['cpu']) ?? 0;
    total.memoryRequests += memoryOf(requests['memory']) ?? 0;
    total.memoryLimits += memoryOf(limits['memory']) ?? 0;
  }
  return total;
}

export function describeNode(n: Wire<Node>, ctx: DescribeContext): string {
  const w = new DescribeWriter();
  header(w, n as KubeObject, false);
  w.field(0, 'Roles', nodeRoles(n));
  w.labels(0, 'Labels', n.metadata?.labels as Record<string, string> | undefined);
  w.annotations(0, 'Annotations', n.metadata?.annotations as Record<string, string> | undefined);
  w.field(0, 'CreationTimestamp', describeTime(n.metadata?.creationTimestamp));
  w.multiline(
    0,
    'Taints',
    (n.spec?.taints ?? []).map((t) => `${t?.key ?? ''}${t?.value ? `=${t.value}` : ''}:${t?.effect ?? ''}`),
  );
  w.field(0, 'Unschedulable', n.spec?.unschedulable ? 'true' : 'false');
  conditionsTable(
    w,
    ['Type', 'Status', 'LastHeartbeatTime', 'LastTransitionTime', 'Reason', 'Message'],
    (n.status?.conditions ?? []).map((c) => [
      c?.type ?? '',
      c?.status ?? '',
      describeTime(c?.lastHeartbeatTime),
      describeTime(c?.lastTransitionTime),
      c?.reason ?? '',
      c?.message ?? '',
    ]),
  );
  w.write(0, 'Addresses:');
  for (const a of n.status?.addresses ?? []) w.field(1, a?.type ?? '', a?.address ?? '');
  const allocatable = n.status?.allocatable ?? {};
  for (const [title, list] of [
    ['Capacity', n.status?.capacity],
    ['Allocatable', allocatable],
  ] as const) {
    const entries = Object.entries(list ?? {}).sort(([a], [b]) => a.localeCompare(b));
    if (entries.length === 0) continue;
    w.write(0, `${title}:`);
    for (const [name, quantity] of entries) w.field(1, name, String(quantity));
  }
  const info = n.status?.nodeInfo;
  if (info) {
    w.write(0, 'System Info:');
    const rows: [string, string | undefined][] = [
      ['Machine ID', info.machineID],
      ['System UUID', info.systemUUID],
      ['Boot ID', info.bootID],
      ['Kernel Version', info.kernelVersion],
      ['OS Image', info.osImage],
      ['Operating System', info.operatingSystem],
      ['Architecture', info.architecture],
      ['Container Runtime Version', info.containerRuntimeVersion],
      ['Kubelet Version', info.kubeletVersion],
    ];
    for (const [label, value] of rows) if (value) w.field(1, label, value);
  }
  if (ctx.pods) describeNodePods(w, ctx.pods, allocatable as Record<string, unknown>, ctx.now);
  w.events(ctx.events, ctx.now);
  return w.toString();
}

function describeNodePods(w: DescribeWriter, pods: readonly WirePod[], allocatable: Record<string, unknown>, now: number): void {
  const running = pods.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  const cpuTotal = cpuOf(allocatable['cpu']);
  const memoryTotal = memoryOf(allocatable['memory']);
  const cpu = (m: number): string => `${formatCpu(m)} (${percentOf(m, cpuTotal)}%)`;
  const memory = (b: number): string => `${formatMemory(b)} (${percentOf(b, memoryTotal)}%)`;
  w.field(0, 'Non-terminated Pods', `(${running.length} in total)`);
  const sum = { cpuRequests: 0, cpuLimits: 0, memoryRequests: 0, memoryLimits: 0 };
  if (running.length > 0) {
    w.write(1, 'Namespace\tName\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge');
    w.write(1, '---------\t----\t------------\t----------\t---------------\t-------------\t---');
    for (const pod of running) {
      const r = podRequests(pod);
      sum.cpuRequests += r.cpuRequests;
      sum.cpuLimits += r.cpuLimits;
      sum.memoryRequests += r.memoryRequests;
      sum.memoryLimits += r.memoryLimits;
      w.write(
        1,
        [pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', cpu(r.cpuRequests), cpu(r.cpuLimits), memory(r.memoryRequests), memory(r.memoryLimits), age(pod.metadata?.creationTimestamp, now)].join('\t'),
      );
    }
  }
  w.write(0, 'Allocated resources:');
  w.write(1, '(Total limits may be over 100 percent, i.e., overcommitted.)');
  w.write(1, 'Resource\tRequests\tLimits');
  w.write(1, '--------\t--------\t------');
  w.write(1, `cpu\t${cpu(sum.cpuRequests)}\t${cpu(sum.cpuLimits)}`);
  w.write(1, `memory\t${memory(sum.memoryRequests)}\t${memory(sum.memoryLimits)}`);
}

export function describeNamespace(ns: Wire<Namespace>, ctx: DescribeContext): string {
  const w = new DescribeWriter();
  header(w, ns as KubeObject, false);
  w.labels(0, 'Labels', ns.metadata?.labels as Record<string, string> | undefined);
  w.annotations(0, 'Annotations', ns.metadata?.annotations as Record<string, string> | undefined);
  w.field(0, 'Status', ns.status?.phase ?? 'Active');
  w.events(ctx.events, ctx.now);
  return w.toString();
}

type WireHpa = Wire<HorizontalPodAutoscaler>;

function describeHpaMetrics(w: DescribeWriter, hpa: WireHpa): void {
  const specs = hpa.spec?.metrics ?? [];
  if (specs.length === 0) {
    w.field(0, 'Metrics', '<none>');
    return;
  }
  w.field(0, 'Metrics', '( current / target )');
  const statuses = hpa.status?.currentMetrics ?? [];
  for (const spec of specs) {
    if (spec?.type === 'Resource' && spec.resource) {
      const name = spec.resource.name ?? '';
      const current = statuses.find((s) => s?.type === 'Resource' && s.resource?.name === name)?.resource?.current;
      const target = spec.resource.target;
      if (target?.averageUtilization !== undefined) {
        const now = current?.averageUtilization !== undefined ? `${current.averageUtilization}% (${current.averageValue ?? '<unknown>'})` : '<unknown>';
        w.write(1, `resource ${name} on pods  (as a percentage of request):\t${now} / ${target.averageUtilization}%`);
      } else {
        w.write(1, `resource ${name} on pods:\t${current?.averageValue ?? '<unknown>'} / ${target?.averageValue ?? '<unknown>'}`);
      }
    } else if (spec?.type === 'Pods' && spec.pods) {
      const name = spec.pods.metric?.name ?? '';
      const current = statuses.find((s) => s?.type === 'Pods' && s.pods?.metric?.name === name)?.pods?.current;
      w.write(1, `${JSON.stringify(name)} on pods:\t${current?.averageValue ?? '<unknown>'} / ${spec.pods.target?.averageValue ?? '<unknown>'}`);
    } else {
      const source = spec?.object ?? spec?.external;
      const current = statuses.find((s) => s?.type === spec?.type);
      const value = current?.object?.current ?? current?.external?.current;
      const target = source?.target;
      w.write(
        1,
        `${(spec?.type ?? '').toLowerCase()} metric ${source?.metric?.name ?? ''}:\t${value?.value ?? value?.averageValue ?? '<unknown>'} / ${target?.value ?? target?.averageValue ?? '<unknown>'}`,
      );
    }
  }
}

export function describeHpa(hpa: WireHpa, ctx: DescribeContext): string {
  const w = new DescribeWriter();
  header(w, hpa as KubeObject, true);
  w.labels(0, 'Labels', hpa.metadata?.labels as Record<string, string> | undefined);
  w.annotations(0, 'Annotations', hpa.metadata?.annotations as Record<string, string> | undefined);
  w.field(0, 'CreationTimestamp', describeTime(hpa.metadata?.creationTimestamp));
  w.field(0, 'Reference', `${hpa.spec?.scaleTargetRef?.kind ?? ''}/${hpa.spec?.scaleTargetRef?.name ?? ''}`);
  describeHpaMetrics(w, hpa);
  w.field(0, 'Min replicas', hpa.spec?.minReplicas ?? 1);
  w.field(0, 'Max replicas', hpa.spec?.maxReplicas ?? '');
  const behavior = hpa.spec?.behavior;
  if (behavior) {
    w.write(0, 'Behavior:');
    for (const [title, rules] of [
      ['Scale Up', behavior.scaleUp],
      ['Scale Down', behavior.scaleDown],
    ] as const) {
      if (!rules) continue;
      w.write(1, `${title}:`);
      w.field(2, 'Stabilization Window', `${rules.stabilizationWindowSeconds ?? 0} seconds`);
      w.field(2, 'Select Policy', rules.selectPolicy ?? 'Max');
      w.write(2, 'Policies:');
      for (const policy of rules.policies ?? []) {
        w.write(3, `- Type: ${policy?.type ?? ''}  Value: ${policy?.value ?? ''}  Period: ${policy?.periodSeconds ?? ''} seconds`);
      }
    }
  }
  w.field(0, `${hpa.spec?.scaleTargetRef?.kind ?? 'Deployment'} pods`, `${hpa.status?.currentReplicas ?? 0} current / ${hpa.status?.desiredReplicas ?? 0} desired`);
  conditionsTable(
    w,
    ['Type', 'Status', 'Reason', 'Message'],
    (hpa.status?.conditions ?? []).map((c) => [c?.type ?? '', c?.status ?? '', c?.reason ?? '', c?.message ?? '']),
  );
  w.events(ctx.events, ctx.now);
  return w.toString();
}

/** Kinds without a describer of their own: their YAML, then their events. */
function describeGeneric(object: KubeObject, ctx: DescribeContext): string {
  const w = new DescribeWriter();
  w.events(ctx.events, ctx.now);
  return toYaml(object) + w.toString();
}

export function describeObject(kind: ResourceKind, object: KubeObject, ctx: DescribeContext): string {
  switch (kind.kind) {
    case 'Deployment':
      return describeDeployment(object as Wire<Deployment>, ctx);
    case 'Pod':
      return describePod(object as WirePod, ctx);
    case 'Service':
      return describeService(object as WireService, ctx);
    case 'Node':
      return describeNode(object as Wire<Node>, ctx);
    case 'Namespace':
      return describeNamespace(object as Wire<Namespace>, ctx);
    case 'HorizontalPodAutoscaler':
      return describeHpa(object as WireHpa, ctx);
    default:
      return describeGeneric(object, ctx);
  }
}
