import { z } from 'zod';
import { PROTOCOLS } from './container.schema';
import { isDNS1035Label, isDNS1123Label, isQualifiedName } from './name-validation.util';
import { namespacedObjectMetaSchema } from './object-meta.schema';
import {
  asArray,
  asNumber,
  asRecord,
  asString,
  crossRules,
  formattedString,
  int32,
  labelsMap,
  orEmpty,
  portNumber,
  portNumberOrName,
  reportDuplicates,
  rules,
} from './schema-kit.util';

export const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;
/**
 * Cluster ports: every service port gets one, cluster-unique, on which each node's proxy listens at the
 * address its containers reach (the Docker network's gateway), so replicas reach any Service there
 * (`<NAME>_SERVICE_HOST`/`_PORT`). Clear of host ports (20000-29999), nodePorts and the kernel's
 * ephemeral ports (32768-60999).
 */
export const CLUSTER_PORT_RANGE = { min: 10000, max: 19999 } as const;

export const servicePortSchema = z
  .object({
    name: formattedString(isDNS1123Label).optional(),
    protocol: z.enum(PROTOCOLS).default('TCP'),
    appProtocol: formattedString(isQualifiedName).optional(),
    port: portNumber(),
    targetPort: portNumberOrName().optional(),
    /** 0 or absent: allocated by Berth for NodePort/LoadBalancer services. */
    nodePort: int32((value, r) => {
      if (value !== 0 && (value < NODE_PORT_RANGE.min || value > NODE_PORT_RANGE.max)) {
        r.invalid([], value, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`);
      }
    }).optional(),
    /** Berth: 0 or absent: allocated by Berth from CLUSTER_PORT_RANGE (every service type); immutable once set. */
    clusterPort: int32((value, r) => {
      if (value !== 0 && (value < CLUSTER_PORT_RANGE.min || value > CLUSTER_PORT_RANGE.max)) {
        r.invalid([], value, `provided port is not in the valid range. The range of valid cluster ports is ${CLUSTER_PORT_RANGE.min}-${CLUSTER_PORT_RANGE.max}`);
      }
    }).optional(),
  })
  .transform((port) => ({ ...port, targetPort: port.targetPort ?? port.port }));
export type ServicePort = z.output<typeof servicePortSchema>;

export const serviceSpecSchema = crossRules(
  z.object({
    selector: labelsMap().optional(),
    ports: rules(z.array(servicePortSchema), (ports, r) => {
      if (ports.length === 0) r.required([]);
    }),
    type: z.enum(SERVICE_TYPES).default('ClusterIP'),
  }),
  (spec, r) => {
    const s = asRecord(spec);
    if (!s) return;
    const ports = asArray(s.ports).map(asRecord);
    if (ports.length > 1) {
      ports.forEach((port, i) => {
        if (port && (port.name === undefined || port.name === '')) r.required(['ports', i, 'name']);
      });
    }
    reportDuplicates(
      ports,
      (port) => asString(port?.name) || undefined,
      (i, name) => r.duplicate(['ports', i, 'name'], name),
    );
    if (s.type === 'ClusterIP') {
      ports.forEach((port, i) => {
        if (asNumber(port?.nodePort)) r.forbidden(['ports', i, 'nodePort'], "may not be used when `type` is 'ClusterIP'");
      });
    }
    const protocolOf = (port: Record<string, unknown> | undefined): string => asString(port?.protocol) ?? 'TCP';
    reportDuplicates(
      ports,
      (port) => (asNumber(port?.nodePort) ? `${String(port?.nodePort)}/${protocolOf(port)}` : undefined),
      (i) => r.duplicate(['ports', i, 'nodePort'], ports[i]?.nodePort),
    );
    reportDuplicates(
      ports,
      (port) => (asNumber(port?.clusterPort) ? String(port?.clusterPort) : undefined),
      (i) => r.duplicate(['ports', i, 'clusterPort'], ports[i]?.clusterPort),
    );
    reportDuplicates(
      ports,
      (port) => (asNumber(port?.port) !== undefined ? `${String(port?.port)}/${protocolOf(port)}` : undefined),
      (i) => r.duplicate(['ports', i], { port: ports[i]?.port, protocol: protocolOf(ports[i]) }),
    );
  },
);
export type ServiceSpec = z.output<typeof serviceSpecSchema>;

export const serviceStatusSchema = z.object({
  loadBalancer: z
    .object({
      ingress: z.array(z.object({ ip: z.string().optional(), hostname: z.string().optional() })).optional(),
    })
    .optional(),
});
export type ServiceStatus = z.output<typeof serviceStatusSchema>;

export const serviceSchema = z.object({
  apiVersion: z.literal('v1'),
  kind: z.literal('Service'),
  metadata: orEmpty(namespacedObjectMetaSchema(isDNS1035Label)),
  spec: orEmpty(serviceSpecSchema),
  status: serviceStatusSchema.optional(),
});
export type Service = z.output<typeof serviceSchema>;
export type ServiceInput = z.input<typeof serviceSchema>;
