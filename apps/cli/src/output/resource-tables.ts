import type { Deployment, Event, HorizontalPodAutoscaler, MetricSpec, MetricStatus, Namespace, Node, Service } from '@berth/contracts';
import type { KubeObject, Wire } from '../client/api.types';
import { qualifiedName, ResourceKind } from '../resources/resource-kinds';
import { age } from './age.format';
import { formatLabels, formatLabelSelector } from './labels.format';
import { podReady, podRestarts, podStatus, WirePod } from './pod.format';

export interface TableOptions {
  now: number;
  wide: boolean;
  /** -A: a NAMESPACE column first. */
  withNamespace: boolean;
  /** Several kinds in one output: names become `deployment.apps/web`. */
  withKind: boolean;
  showLabels: boolean;
}

interface Columns<T> {
  headers(wide: boolean): string[];
  cells(object: T, now: number, wide: boolean): string[];
}

const none = (value: string | undefined): string => (value === undefined || value === '' ? '<none>' : value);
const nameOf = (object: KubeObject): string => object.metadata?.name ?? '';

type WireDeployment = Wire<Deployment>;
const deploymentColumns: Columns<WireDeployment> = {
  headers: (wide) => ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', ...(wide ? ['CONTAINERS', 'IMAGES', 'SELECTOR'] : [])],
  cells: (d, now, wide) => {
    const containers = d.spec?.template?.spec?.containers ?? [];
    return [
      d.metadata?.name ?? '',
      `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
      String(d.status?.updatedReplicas ?? 0),
      String(d.status?.availableReplicas ?? 0),
      age(d.metadata?.creationTimestamp, now),
      ...(wide
        ? [none(containers.map((c) => c?.name ?? '').join(',')), none(containers.map((c) => c?.image ?? '').join(',')), formatLabelSelector(d.spec?.selector)]
        : []),
    ];
  },
};

const podColumns: Columns<WirePod> = {
  headers: (wide) => ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', ...(wide ? ['IP', 'NODE'] : [])],
  cells: (p, now, wide) => [
    p.metadata?.name ?? '',
    podReady(p),
    podStatus(p),
    podRestarts(p, now),
    age(p.metadata?.creationTimestamp, now),
    ...(wide ? [none(p.status?.podIP), none(p.spec?.nodeName)] : []),
  ],
};

type WireService = Wire<Service> & { spec?: { clusterIP?: string; externalIPs?: string[] } };

/** `80/TCP`, `80:30080/TCP`, joined with commas. */
export function servicePorts(service: WireService): string {
  const ports = (service.spec?.ports ?? []).map((p) => `${p?.port ?? ''}${p?.nodePort ? `:${p.nodePort}` : ''}/${p?.protocol ?? 'TCP'}`);
  return none(ports.join(','));
}

export function serviceExternalIp(service: WireService): string {
  const external = service.spec?.externalIPs ?? [];
  if (service.spec?.type === 'LoadBalancer') {
    const ingress = (service.status?.loadBalancer?.ingress ?? []).map((i) => i?.ip || i?.hostname || '').filter((a) => a !== '');
    const all = [...ingress, ...external];
    return all.length > 0 ? all.join(',') : '<pending>';
  }
  return none(external.join(','));
}

const serviceColumns: Columns<WireService> = {
  headers: (wide) => ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', ...(wide ? ['SELECTOR'] : [])],
  cells: (s, now, wide) => [
    s.metadata?.name ?? '',
    s.spec?.type ?? 'ClusterIP',
    none(s.spec?.clusterIP),
    serviceExternalIp(s),
    servicePorts(s),
    age(s.metadata?.creationTimestamp, now),
    ...(wide ? [formatLabels(s.spec?.selector as Record<string, string> | undefined)] : []),
  ],
};

type WireNode = Wire<Node>;

/** Ready / NotReady / Unknown, plus SchedulingDisabled when cordoned. */
export function nodeStatus(node: WireNode): string {
  const ready = node.status?.conditions?.find((c) => c?.type === 'Ready');
  const status = ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown';
  return node.spec?.unschedulable ? `${status},SchedulingDisabled` : status;
}

export function nodeRoles(node: WireNode): string {
  const prefix = 'node-role.kubernetes.io/';
  const roles = Object.keys(node.metadata?.labels ?? {})
    .filter((key) => key.startsWith(prefix))
    .map((key) => key.slice(prefix.length))
    .filter((role) => role !== '')
    .sort();
  return none(roles.join(','));
}

const nodeAddress = (node: WireNode, type: string): string | undefined => node.status?.addresses?.find((a) => a?.type === type)?.address;

const nodeColumns: Columns<WireNode> = {
  headers: (wide) => ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', ...(wide ? ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'] : [])],
  cells: (n, now, wide) => {
    const info = n.status?.nodeInfo;
    return [
      n.metadata?.name ?? '',
      nodeStatus(n),
      nodeRoles(n),
      age(n.metadata?.creationTimestamp, now),
      info?.kubeletVersion ?? '',
      ...(wide
        ? [none(nodeAddress(n, 'InternalIP')), none(nodeAddress(n, 'ExternalIP')), none(info?.osImage), none(info?.kernelVersion), none(info?.containerRuntimeVersion)]
        : []),
    ];
  },
};

const namespaceColumns: Columns<Wire<Namespace>> = {
  headers: () => ['NAME', 'STATUS', 'AGE'],
  cells: (ns, now) => [ns.metadata?.name ?? '', ns.status?.phase ?? 'Active', age(ns.metadata?.creationTimestamp, now)],
};

type WireEvent = Wire<Event>;

export const eventLastSeen = (e: WireEvent): string | undefined => e.lastTimestamp ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;

export function eventSource(e: WireEvent): string {
  const component = e.source?.component ?? e.reportingComponent ?? '';
  const host = e.source?.host;
  return host ? `${component}, ${host}` : component;
}

const eventColumns: Columns<WireEvent> = {
  headers: (wide) =>
    wide
      ? ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME']
      : ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
  cells: (e, now, wide) => {
    const object = `${(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? ''}`;
    const lastSeen = age(eventLastSeen(e), now);
    const message = (e.message ?? '').trim();
    if (!wide) return [lastSeen, e.type ?? 'Normal', e.reason ?? '', object, message];
    return [
      lastSeen,
      e.type ?? 'Normal',
      e.reason ?? '',
      object,
      e.involvedObject?.fieldPath ?? '',
      eventSource(e),
      message,
      age(e.firstTimestamp ?? e.metadata?.creationTimestamp, now),
      String(e.count ?? 1),
      e.metadata?.name ?? '',
    ];
  },
};

type WireHpa = Wire<HorizontalPodAutoscaler>;

function metricName(spec: Wire<MetricSpec> | Wire<MetricStatus> | undefined): string {
  return spec?.resource?.name ?? spec?.pods?.metric?.name ?? spec?.object?.metric?.name ?? spec?.external?.metric?.name ?? '<unknown>';
}

function currentOf(status: Wire<MetricStatus> | undefined) {
  return status?.resource?.current ?? status?.pods?.current ?? status?.object?.current ?? status?.external?.current;
}

/** One TARGETS entry, kubectl style: `cpu: 45%/80%`, `http_requests: 12/10`, `<unknown>` before the first reading. */
function formatTarget(spec: Wire<MetricSpec> | undefined, status: Wire<MetricStatus> | undefined): string {
  const target = spec?.resource?.target ?? spec?.pods?.target ?? spec?.object?.target ?? spec?.external?.target;
  const current = currentOf(status);
  let text: string;
  if (target?.averageUtilization !== undefined) {
    const now = current?.averageUtilization;
    text = `${now === undefined ? '<unknown>' : `${now}%`}/${target.averageUtilization}%`;
  } else if (target?.averageValue !== undefined) {
    text = `${current?.averageValue ?? '<unknown>'}/${target.averageValue}`;
  } else {
    text = `${current?.value ?? '<unknown>'}/${target?.value ?? '<unknown>'}`;
  }
  return `${metricName(spec)}: ${text}`;
}

export function hpaTargets(hpa: WireHpa): string {
  const specs = hpa.spec?.metrics ?? [];
  if (specs.length === 0) return '<none>';
  const statuses = hpa.status?.currentMetrics ?? [];
  const shown = specs.slice(0, 2).map((spec) => formatTarget(spec, statuses.find((s) => s?.type === spec?.type && metricName(s) === metricName(spec))));
  const more = specs.length > 2 ? ` + ${specs.length - 2} more...` : '';
  return shown.join(', ') + more;
}

const hpaColumns: Columns<WireHpa> = {
  headers: () => ['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE'],
  cells: (h, now) => [
    h.metadata?.name ?? '',
    `${h.spec?.scaleTargetRef?.kind ?? ''}/${h.spec?.scaleTargetRef?.name ?? ''}`,
    hpaTargets(h),
    String(h.spec?.minReplicas ?? 1),
    String(h.spec?.maxReplicas ?? ''),
    String(h.status?.currentReplicas ?? 0),
    age(h.metadata?.creationTimestamp, now),
  ],
};

const genericColumns: Columns<KubeObject> = {
  headers: () => ['NAME', 'AGE'],
  cells: (o, now) => [nameOf(o), age(o.metadata?.creationTimestamp, now)],
};

const COLUMNS: Readonly<Record<string, Columns<never>>> = {
  Deployment: deploymentColumns,
  Pod: podColumns,
  Service: serviceColumns,
  Node: nodeColumns,
  Namespace: namespaceColumns,
  Event: eventColumns,
  HorizontalPodAutoscaler: hpaColumns,
};

function columnsFor(kind: ResourceKind): Columns<KubeObject> {
  return (COLUMNS[kind.kind] ?? genericColumns) as unknown as Columns<KubeObject>;
}

export function tableHeader(kind: ResourceKind, options: TableOptions): string[] {
  const headers = columnsFor(kind).headers(options.wide);
  return [...(options.withNamespace && kind.namespaced ? ['NAMESPACE'] : []), ...headers, ...(options.showLabels ? ['LABELS'] : [])];
}

export function tableRow(kind: ResourceKind, object: KubeObject, options: TableOptions): string[] {
  const columns = columnsFor(kind);
  const cells = columns.cells(object, options.now, options.wide);
  if (options.withKind && columns.headers(options.wide)[0] === 'NAME') cells[0] = `${qualifiedName(kind)}/${cells[0]}`;
  return [
    ...(options.withNamespace && kind.namespaced ? [object.metadata?.namespace ?? ''] : []),
    ...cells,
    ...(options.showLabels ? [formatLabels(object.metadata?.labels)] : []),
  ];
}

/** Oldest first by last seen; events of the same second in log order (an Event's resourceVersion is its log position). */
export function compareEvents(a: WireEvent, b: WireEvent): number {
  const time = (e: WireEvent): number => Date.parse(eventLastSeen(e) ?? '') || 0;
  const position = (e: WireEvent): number => Number(e.metadata?.resourceVersion) || 0;
  return time(a) - time(b) || position(a) - position(b);
}

/** Events read best oldest first, like a log; everything else keeps the server's order. */
export function sortForTable(kind: ResourceKind, objects: readonly KubeObject[]): KubeObject[] {
  if (kind.kind !== 'Event') return [...objects];
  return [...objects].sort((a, b) => compareEvents(a as WireEvent, b as WireEvent));
}
