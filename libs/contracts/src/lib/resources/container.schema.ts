import { z } from 'zod';
import { mapKey } from './field-error.model';
import { isDNS1123Label, isEnvVarName, isHTTPHeaderName, isValidPortName, isValidPortNum } from './name-validation.util';
import { compareQuantities, isValidQuantity } from './quantity.util';
import {
  asArray,
  asRecord,
  asString,
  checkedString,
  crossRules,
  formattedString,
  int32,
  integer,
  nonNegativeInt,
  portNumber,
  portNumberOrName,
  reportDuplicates,
  requiredString,
  resourceList,
  rules,
} from './schema-kit.util';

export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];
export const PROTOCOLS = ['TCP', 'UDP'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const PROBE_DEFAULTS = {
  initialDelaySeconds: 0,
  timeoutSeconds: 1,
  periodSeconds: 10,
  successThreshold: 1,
  failureThreshold: 3,
} as const;

/** The tag of an image reference ('' when pinned by digest only); a registry port is not a tag. */
export function imageTag(image: string): string {
  const withoutDigest = image.split('@')[0];
  const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  if (colon >= 0) return lastSegment.slice(colon + 1);
  return image.includes('@') ? '' : 'latest';
}

/** Kubernetes: `Always` for ':latest' or no tag, otherwise `IfNotPresent`. */
export function defaultPullPolicy(image: string): PullPolicy {
  return imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}

export const containerPortSchema = z.object({
  name: formattedString(isValidPortName).optional(),
  containerPort: portNumber(),
  /** 0 or absent: not published on a fixed host port. */
  hostPort: int32((value, r) => {
    if (value !== 0) for (const msg of isValidPortNum(value)) r.invalid([], value, msg);
  }).optional(),
  protocol: z.enum(PROTOCOLS).default('TCP'),
});
export type ContainerPort = z.output<typeof containerPortSchema>;

export const envVarSchema = z.object({
  name: requiredString(isEnvVarName),
  value: z.string().optional(),
});
export type EnvVar = z.output<typeof envVarSchema>;

export const resourceRequirementsSchema = crossRules(
  z.object({
    requests: resourceList('container').optional(),
    limits: resourceList('container').optional(),
  }),
  (resources, r) => {
    const requests = asRecord(asRecord(resources)?.requests) ?? {};
    const limits = asRecord(asRecord(resources)?.limits) ?? {};
    for (const [name, request] of Object.entries(requests)) {
      const limit = limits[name];
      if (isValidQuantity(request) && isValidQuantity(limit) && compareQuantities(request, limit) > 0) {
        r.invalid(['requests', mapKey(name)], String(request), `must be less than or equal to ${name} limit of ${String(limit)}`);
      }
    }
  },
);
export type ResourceRequirements = z.output<typeof resourceRequirementsSchema>;

/** Requests a scheduler should reserve: Kubernetes copies a limit into a missing request. */
export function effectiveRequests(resources: ResourceRequirements | undefined): Record<string, string> {
  return { ...(resources?.limits ?? {}), ...(resources?.requests ?? {}) };
}

export const httpHeaderSchema = z.object({
  name: checkedString(isHTTPHeaderName),
  value: z.string(),
});

export const httpGetActionSchema = z.object({
  path: requiredString().default('/'),
  port: portNumberOrName(),
  host: z.string().optional(),
  scheme: z.enum(['HTTP', 'HTTPS']).default('HTTP'),
  httpHeaders: z.array(httpHeaderSchema).optional(),
});
export type HTTPGetAction = z.output<typeof httpGetActionSchema>;

export const tcpSocketActionSchema = z.object({
  port: portNumberOrName(),
  host: z.string().optional(),
});
export type TCPSocketAction = z.output<typeof tcpSocketActionSchema>;

export const execActionSchema = z.object({
  command: rules(z.array(z.string()), (command, r) => {
    if (command.length === 0) r.required([]);
  }),
});
export type ExecAction = z.output<typeof execActionSchema>;

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket'] as const;

export type ProbeKind = 'liveness' | 'readiness' | 'startup';

export function probeSchema(kind: ProbeKind) {
  return crossRules(
    z.object({
      exec: execActionSchema.optional(),
      httpGet: httpGetActionSchema.optional(),
      tcpSocket: tcpSocketActionSchema.optional(),
      initialDelaySeconds: nonNegativeInt().optional(),
      timeoutSeconds: nonNegativeInt().optional(),
      periodSeconds: nonNegativeInt().optional(),
      successThreshold: nonNegativeInt().optional(),
      failureThreshold: nonNegativeInt().optional(),
      terminationGracePeriodSeconds: rules(integer(), (value, r) => {
        if (value <= 0) r.invalid([], value, 'must be greater than 0');
      }).optional(),
    }),
    (probe, r) => {
      const p = asRecord(probe);
      if (!p) return;
      const handlers = PROBE_HANDLERS.filter((handler) => p[handler] !== undefined);
      if (handlers.length === 0) r.required([], 'must specify a handler type');
      for (const extra of handlers.slice(1)) r.forbidden([extra], 'may not specify more than 1 handler type');
      const success = p.successThreshold;
      if (kind !== 'readiness' && typeof success === 'number' && success !== 0 && success !== 1) {
        r.invalid(['successThreshold'], success, 'must be 1');
      }
      if (kind === 'readiness' && p.terminationGracePeriodSeconds !== undefined) {
        r.invalid(['terminationGracePeriodSeconds'], p.terminationGracePeriodSeconds, 'must not be set for readinessProbes');
      }
    },
  ).transform((probe) => ({
    ...probe,
    // Kubernetes treats 0 as unset for these.
    initialDelaySeconds: probe.initialDelaySeconds ?? PROBE_DEFAULTS.initialDelaySeconds,
    timeoutSeconds: probe.timeoutSeconds || PROBE_DEFAULTS.timeoutSeconds,
    periodSeconds: probe.periodSeconds || PROBE_DEFAULTS.periodSeconds,
    successThreshold: probe.successThreshold || PROBE_DEFAULTS.successThreshold,
    failureThreshold: probe.failureThreshold || PROBE_DEFAULTS.failureThreshold,
  }));
}
export type Probe = z.output<ReturnType<typeof probeSchema>>;

export const containerSchema = crossRules(
  z.object({
    name: requiredString(isDNS1123Label),
    image: requiredString((image) => (image.trim() === image ? [] : ['must not have leading or trailing whitespace'])),
    imagePullPolicy: z.enum(PULL_POLICIES).optional(),
    command: z.array(z.string()).optional(),
    args: z.array(z.string()).optional(),
    env: z.array(envVarSchema).optional(),
    ports: z.array(containerPortSchema).optional(),
    resources: resourceRequirementsSchema.optional(),
    livenessProbe: probeSchema('liveness').optional(),
    readinessProbe: probeSchema('readiness').optional(),
    startupProbe: probeSchema('startup').optional(),
  }),
  (container, r) => {
    reportDuplicates(
      asArray(asRecord(container)?.ports),
      (port) => asString(asRecord(port)?.name) || undefined,
      (i, name) => r.duplicate(['ports', i, 'name'], name),
    );
  },
).transform((container) => ({
  ...container,
  imagePullPolicy: container.imagePullPolicy ?? defaultPullPolicy(container.image),
}));
export type Container = z.output<typeof containerSchema>;
