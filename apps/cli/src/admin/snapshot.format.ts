import { formatTable } from '../output/tab-writer';
import type { ClusterSnapshot } from './cluster-snapshot';

const optional = (value: number | undefined): string => (value === undefined ? '<unknown>' : String(value));
const labels = (selector: Record<string, string>): string => Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',') || '<none>';

function section(title: string, header: string[], rows: string[][]): string {
  return `${title}\n${rows.length === 0 ? '(none)\n' : formatTable([header, ...rows])}`;
}

/** The tables of `berth admin state`, one section per kind, like `kubectl get all`. */
export function renderSnapshot(snapshot: ClusterSnapshot): string {
  const where = snapshot.position === snapshot.headPosition ? 'the head of the log' : `the log's head is ${snapshot.headPosition}`;
  const when = snapshot.recordedAt ? `, recorded ${snapshot.recordedAt}` : '';
  const scope = snapshot.namespace === undefined ? '' : ` in namespace ${snapshot.namespace}`;
  const out = [`Cluster state at position ${snapshot.position}${when} (${where})${scope}\n`];
  out.push(
    section(
      'DEPLOYMENTS',
      ['NAMESPACE', 'NAME', 'DESIRED', 'CURRENT', 'BOUND', 'READY', 'REVISION', 'IMAGES'],
      snapshot.deployments.map((d) => [
        d.namespace,
        d.name,
        `${d.desired}${d.paused ? ' (paused)' : ''}`,
        String(d.current),
        String(d.bound),
        String(d.ready),
        String(d.revision),
        d.images.join(','),
      ]),
    ),
  );
  out.push(
    section(
      'SERVICES',
      ['NAMESPACE', 'NAME', 'TYPE', 'PORT(S)', 'ENDPOINTS', 'SELECTOR'],
      snapshot.services.map((s) => [s.namespace, s.name, s.type, s.ports.join(',') || '<none>', String(s.endpoints), labels(s.selector)]),
    ),
  );
  out.push(
    section(
      'HORIZONTALPODAUTOSCALERS',
      ['NAMESPACE', 'NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'DESIRED'],
      snapshot.horizontalPodAutoscalers.map((h) => [
        h.namespace,
        h.name,
        h.reference,
        h.targets.join(', ') || '<none>',
        String(h.minReplicas),
        String(h.maxReplicas),
        optional(h.currentReplicas),
        optional(h.desiredReplicas),
      ]),
    ),
  );
  out.push(
    section(
      'NODES',
      ['NAME', 'STATUS', 'ADDRESS', 'REPLICAS'],
      snapshot.nodes.map((n) => [n.name, n.status, n.address, String(n.replicas)]),
    ),
  );
  out.push(
    section(
      'REPLICAS',
      ['NAMESPACE', 'NAME', 'DEPLOYMENT', 'PHASE', 'READY', 'RESTARTS', 'NODE'],
      snapshot.replicas.map((r) => [
        r.namespace,
        r.name,
        r.deployment,
        `${r.phase}${r.deleting ? ' (deleting)' : ''}`,
        r.ready ? 'true' : 'false',
        String(r.restarts),
        r.node ?? '<none>',
      ]),
    ),
  );
  return out.join('\n');
}
