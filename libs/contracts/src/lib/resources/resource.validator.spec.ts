import { validateResource } from './resource.validator';
import { StatusCause } from './status.schema';

type Obj = Record<string, unknown>;

/** The seed example's Deployment, fresh for each test. */
function nginxDeployment(): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx-deployment', labels: { app: 'nginx' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:latest', ports: [{ containerPort: 80 }] }] },
      },
    },
  };
}

function nginxService(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'nginx-service' },
    spec: { selector: { app: 'nginx' }, ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }], type: 'LoadBalancer' },
  };
}

function hpa(): Obj {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'nginx' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx-deployment' }, minReplicas: 1, maxReplicas: 10 },
  };
}

function node(): Obj {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, spec: {} };
}

/** Sets (or with undefined, deletes) the value at a path like `spec.template.spec.containers[0].image`. */
function set(obj: Obj, path: string, value: unknown): Obj {
  const segments = path.split(/\.|\[(\d+)\]/).filter((s) => s !== undefined && s !== '');
  let target = obj as Record<string, unknown>;
  for (const segment of segments.slice(0, -1)) {
    if (typeof target[segment] !== 'object' || target[segment] === null) target[segment] = {};
    target = target[segment] as Record<string, unknown>;
  }
  const last = segments[segments.length - 1];
  if (value === undefined) delete target[last];
  else target[last] = value;
  return obj;
}

const C0 = 'spec.template.spec.containers[0]';

function causesOf(obj: unknown): StatusCause[] {
  const result = validateResource(obj);
  if (result.ok) throw new Error(`expected ${JSON.stringify(obj)} to be invalid`);
  expect(result.status.code).toBe(422);
  expect(result.status.reason).toBe('Invalid');
  return result.status.details?.causes ?? [];
}

const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_LABEL_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const QUANTITY_MSG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const PERCENT_MSG =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

interface Case {
  name: string;
  object: () => Obj;
  field: string;
  message: string;
  reason: StatusCause['reason'];
}

const cases: Case[] = [
  // Deployments
  {
    name: 'missing image',
    object: () => set(nginxDeployment(), `${C0}.image`, undefined),
    field: `${C0}.image`,
    message: `${C0}.image: Required value`,
    reason: 'FieldValueRequired',
  },
  {
    name: 'empty image',
    object: () => set(nginxDeployment(), `${C0}.image`, ''),
    field: `${C0}.image`,
    message: `${C0}.image: Required value`,
    reason: 'FieldValueRequired',
  },
  {
    name: 'image with whitespace',
    object: () => set(nginxDeployment(), `${C0}.image`, ' nginx'),
    field: `${C0}.image`,
    message: `${C0}.image: Invalid value: " nginx": must not have leading or trailing whitespace`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'negative replicas',
    object: () => set(nginxDeployment(), 'spec.replicas', -1),
    field: 'spec.replicas',
    message: 'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'replicas of the wrong type',
    object: () => set(nginxDeployment(), 'spec.replicas', 'three'),
    field: 'spec.replicas',
    message: 'spec.replicas: Invalid value: "three": must be an integer',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'fractional replicas',
    object: () => set(nginxDeployment(), 'spec.replicas', 1.5),
    field: 'spec.replicas',
    message: 'spec.replicas: Invalid value: 1.5: must be an integer',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'uppercase deployment name',
    object: () => set(nginxDeployment(), 'metadata.name', 'Nginx_Deployment'),
    field: 'metadata.name',
    message: `metadata.name: Invalid value: "Nginx_Deployment": ${DNS1123_SUBDOMAIN_MSG}`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'deployment name too long',
    object: () => set(nginxDeployment(), 'metadata.name', 'a'.repeat(254)),
    field: 'metadata.name',
    message: `metadata.name: Invalid value: "${'a'.repeat(254)}": must be no more than 253 characters`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'missing name',
    object: () => set(nginxDeployment(), 'metadata.name', undefined),
    field: 'metadata.name',
    message: 'metadata.name: Required value: name or generateName is required',
    reason: 'FieldValueRequired',
  },
  {
    name: 'metadata that is not a mapping',
    object: () => set(nginxDeployment(), 'metadata', ['nginx']),
    field: 'metadata',
    message: 'metadata: Invalid value: ["nginx"]: must be an object',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'bad namespace',
    object: () => set(nginxDeployment(), 'metadata.namespace', 'Prod'),
    field: 'metadata.namespace',
    message: `metadata.namespace: Invalid value: "Prod": ${DNS1123_LABEL_MSG}`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'bad label value',
    object: () => set(nginxDeployment(), 'metadata.labels.app', 'nginx!'),
    field: 'metadata.labels',
    message: `metadata.labels: Invalid value: "nginx!": ${LABEL_VALUE_MSG}`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'label value that is not a string',
    object: () => set(nginxDeployment(), 'metadata.labels.version', 1.5),
    field: 'metadata.labels[version]',
    message: 'metadata.labels[version]: Invalid value: 1.5: must be a string',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'selector that does not match the template labels',
    object: () => set(nginxDeployment(), 'spec.template.metadata.labels', { app: 'web' }),
    field: 'spec.template.metadata.labels',
    message: 'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'selector expression that excludes the template',
    object: () => set(nginxDeployment(), 'spec.selector', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['nginx'] }] }),
    field: 'spec.template.metadata.labels',
    message: 'spec.template.metadata.labels: Invalid value: map[string]string{"app":"nginx"}: `selector` does not match template `labels`',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'missing selector',
    object: () => set(nginxDeployment(), 'spec.selector', undefined),
    field: 'spec.selector',
    message: 'spec.selector: Required value',
    reason: 'FieldValueRequired',
  },
  {
    name: 'empty selector',
    object: () => set(nginxDeployment(), 'spec.selector', {}),
    field: 'spec.selector',
    message: 'spec.selector: Invalid value: {}: empty selector is invalid for deployment',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'In expression without values',
    object: () => set(nginxDeployment(), 'spec.selector.matchExpressions', [{ key: 'app', operator: 'In' }]),
    field: 'spec.selector.matchExpressions[0].values',
    message: "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    reason: 'FieldValueRequired',
  },
  {
    name: 'unknown selector operator',
    object: () => set(nginxDeployment(), 'spec.selector.matchExpressions', [{ key: 'app', operator: 'Equals', values: ['x'] }]),
    field: 'spec.selector.matchExpressions[0].operator',
    message: 'spec.selector.matchExpressions[0].operator: Unsupported value: "Equals": supported values: "In", "NotIn", "Exists", "DoesNotExist"',
    reason: 'FieldValueNotSupported',
  },
  {
    name: 'no containers',
    object: () => set(nginxDeployment(), 'spec.template.spec.containers', []),
    field: 'spec.template.spec.containers',
    message: 'spec.template.spec.containers: Required value',
    reason: 'FieldValueRequired',
  },
  {
    name: 'containers that are not a list',
    object: () => set(nginxDeployment(), 'spec.template.spec.containers', 'nginx'),
    field: 'spec.template.spec.containers',
    message: 'spec.template.spec.containers: Invalid value: "nginx": must be a list',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'invalid container name',
    object: () => set(nginxDeployment(), `${C0}.name`, 'Nginx'),
    field: `${C0}.name`,
    message: `${C0}.name: Invalid value: "Nginx": ${DNS1123_LABEL_MSG}`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'duplicate container names',
    object: () => set(nginxDeployment(), 'spec.template.spec.containers[1]', { name: 'nginx', image: 'busybox' }),
    field: 'spec.template.spec.containers[1].name',
    message: 'spec.template.spec.containers[1].name: Duplicate value: "nginx"',
    reason: 'FieldValueDuplicate',
  },
  {
    name: 'container port 0',
    object: () => set(nginxDeployment(), `${C0}.ports[0].containerPort`, 0),
    field: `${C0}.ports[0].containerPort`,
    message: `${C0}.ports[0].containerPort: Invalid value: 0: must be between 1 and 65535, inclusive`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'container port above 65535',
    object: () => set(nginxDeployment(), `${C0}.ports[0].containerPort`, 70000),
    field: `${C0}.ports[0].containerPort`,
    message: `${C0}.ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'duplicate port names',
    object: () =>
      set(nginxDeployment(), `${C0}.ports`, [
        { name: 'http', containerPort: 80 },
        { name: 'http', containerPort: 8080 },
      ]),
    field: `${C0}.ports[1].name`,
    message: `${C0}.ports[1].name: Duplicate value: "http"`,
    reason: 'FieldValueDuplicate',
  },
  {
    name: 'invalid port name',
    object: () => set(nginxDeployment(), `${C0}.ports[0].name`, 'http_port'),
    field: `${C0}.ports[0].name`,
    message: `${C0}.ports[0].name: Invalid value: "http_port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'same host port twice',
    object: () =>
      set(set(nginxDeployment(), `${C0}.ports[0].hostPort`, 8080), 'spec.template.spec.containers[1]', {
        name: 'sidecar',
        image: 'busybox',
        ports: [{ containerPort: 81, hostPort: 8080 }],
      }),
    field: 'spec.template.spec.containers[1].ports[0].hostPort',
    message: 'spec.template.spec.containers[1].ports[0].hostPort: Duplicate value: "8080/TCP"',
    reason: 'FieldValueDuplicate',
  },
  {
    name: 'unsupported pull policy',
    object: () => set(nginxDeployment(), `${C0}.imagePullPolicy`, 'Sometimes'),
    field: `${C0}.imagePullPolicy`,
    message: `${C0}.imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"`,
    reason: 'FieldValueNotSupported',
  },
  {
    name: 'unparsable cpu limit',
    object: () => set(nginxDeployment(), `${C0}.resources`, { limits: { cpu: 'abc' } }),
    field: `${C0}.resources.limits[cpu]`,
    message: `${C0}.resources.limits[cpu]: Invalid value: "abc": ${QUANTITY_MSG}`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'negative memory request',
    object: () => set(nginxDeployment(), `${C0}.resources`, { requests: { memory: '-1Mi' } }),
    field: `${C0}.resources.requests[memory]`,
    message: `${C0}.resources.requests[memory]: Invalid value: "-1Mi": must be greater than or equal to 0`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'request above limit',
    object: () => set(nginxDeployment(), `${C0}.resources`, { requests: { cpu: '2' }, limits: { cpu: 1 } }),
    field: `${C0}.resources.requests[cpu]`,
    message: `${C0}.resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'unknown container resource',
    object: () => set(nginxDeployment(), `${C0}.resources`, { limits: { gpu: '1' } }),
    field: `${C0}.resources.limits[gpu]`,
    message: `${C0}.resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'probe without handler',
    object: () => set(nginxDeployment(), `${C0}.livenessProbe`, { periodSeconds: 5 }),
    field: `${C0}.livenessProbe`,
    message: `${C0}.livenessProbe: Required value: must specify a handler type`,
    reason: 'FieldValueRequired',
  },
  {
    name: 'probe with two handlers',
    object: () => set(nginxDeployment(), `${C0}.livenessProbe`, { exec: { command: ['true'] }, httpGet: { port: 80 } }),
    field: `${C0}.livenessProbe.httpGet`,
    message: `${C0}.livenessProbe.httpGet: Forbidden: may not specify more than 1 handler type`,
    reason: 'FieldValueForbidden',
  },
  {
    name: 'liveness probe success threshold above 1',
    object: () => set(nginxDeployment(), `${C0}.livenessProbe`, { tcpSocket: { port: 80 }, successThreshold: 2 }),
    field: `${C0}.livenessProbe.successThreshold`,
    message: `${C0}.livenessProbe.successThreshold: Invalid value: 2: must be 1`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'probe port 0',
    object: () => set(nginxDeployment(), `${C0}.readinessProbe`, { httpGet: { path: '/healthz', port: 0 } }),
    field: `${C0}.readinessProbe.httpGet.port`,
    message: `${C0}.readinessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'exec probe without command',
    object: () => set(nginxDeployment(), `${C0}.startupProbe`, { exec: { command: [] } }),
    field: `${C0}.startupProbe.exec.command`,
    message: `${C0}.startupProbe.exec.command: Required value`,
    reason: 'FieldValueRequired',
  },
  {
    name: 'negative probe period',
    object: () => set(nginxDeployment(), `${C0}.readinessProbe`, { tcpSocket: { port: 'http' }, periodSeconds: -5 }),
    field: `${C0}.readinessProbe.periodSeconds`,
    message: `${C0}.readinessProbe.periodSeconds: Invalid value: -5: must be greater than or equal to 0`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'invalid environment variable name',
    object: () => set(nginxDeployment(), `${C0}.env`, [{ name: '1BAD', value: 'x' }]),
    field: `${C0}.env[0].name`,
    message: `${C0}.env[0].name: Invalid value: "1BAD": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'environment value that is a number',
    object: () => set(nginxDeployment(), `${C0}.env`, [{ name: 'PORT', value: 8080 }]),
    field: `${C0}.env[0].value`,
    message: `${C0}.env[0].value: Invalid value: 8080: must be a string`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'maxSurge and maxUnavailable both 0',
    object: () => set(nginxDeployment(), 'spec.strategy', { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } }),
    field: 'spec.strategy.rollingUpdate.maxUnavailable',
    message: 'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'maxSurge that is not a percentage',
    object: () => set(nginxDeployment(), 'spec.strategy', { rollingUpdate: { maxSurge: 'lots' } }),
    field: 'spec.strategy.rollingUpdate.maxSurge',
    message: `spec.strategy.rollingUpdate.maxSurge: Invalid value: "lots": ${PERCENT_MSG}`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'maxUnavailable above 100%',
    object: () => set(nginxDeployment(), 'spec.strategy', { rollingUpdate: { maxUnavailable: '150%' } }),
    field: 'spec.strategy.rollingUpdate.maxUnavailable',
    message: 'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'Recreate with rollingUpdate',
    object: () => set(nginxDeployment(), 'spec.strategy', { type: 'Recreate', rollingUpdate: { maxSurge: 1 } }),
    field: 'spec.strategy.rollingUpdate',
    message: "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
    reason: 'FieldValueForbidden',
  },
  {
    name: 'unknown strategy type',
    object: () => set(nginxDeployment(), 'spec.strategy', { type: 'BlueGreen' }),
    field: 'spec.strategy.type',
    message: 'spec.strategy.type: Unsupported value: "BlueGreen": supported values: "RollingUpdate", "Recreate"',
    reason: 'FieldValueNotSupported',
  },
  {
    name: 'restartPolicy other than Always',
    object: () => set(nginxDeployment(), 'spec.template.spec.restartPolicy', 'Never'),
    field: 'spec.template.spec.restartPolicy',
    message: 'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    reason: 'FieldValueNotSupported',
  },
  {
    name: 'progress deadline not above minReadySeconds',
    object: () => set(set(nginxDeployment(), 'spec.minReadySeconds', 30), 'spec.progressDeadlineSeconds', 30),
    field: 'spec.progressDeadlineSeconds',
    message: 'spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'toleration without key that is not Exists',
    object: () => set(nginxDeployment(), 'spec.template.spec.tolerations', [{ effect: 'NoSchedule' }]),
    field: 'spec.template.spec.tolerations[0].operator',
    message:
      'spec.template.spec.tolerations[0].operator: Invalid value: "": operator must be Exists when `key` is empty, which means "match all values and all keys"',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'tolerationSeconds without NoExecute',
    object: () => set(nginxDeployment(), 'spec.template.spec.tolerations', [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }]),
    field: 'spec.template.spec.tolerations[0].effect',
    message: 'spec.template.spec.tolerations[0].effect: Invalid value: "NoSchedule": effect must be \'NoExecute\' when `tolerationSeconds` is set',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'preferred node affinity weight 0',
    object: () =>
      set(nginxDeployment(), 'spec.template.spec.affinity', {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: { matchExpressions: [{ key: 'zone', operator: 'Exists' }] } }],
        },
      }),
    field: 'spec.template.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight',
    message: 'spec.template.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'required node affinity without terms',
    object: () =>
      set(nginxDeployment(), 'spec.template.spec.affinity', { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } }),
    field: 'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms',
    message:
      'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term',
    reason: 'FieldValueRequired',
  },
  {
    name: 'pod anti-affinity without topologyKey',
    object: () =>
      set(nginxDeployment(), 'spec.template.spec.affinity', {
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'nginx' } }, topologyKey: '' }] },
      }),
    field: 'spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey',
    message: 'spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty',
    reason: 'FieldValueRequired',
  },
  {
    name: 'topology spread with maxSkew 0',
    object: () =>
      set(nginxDeployment(), 'spec.template.spec.topologySpreadConstraints', [
        { maxSkew: 0, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' },
      ]),
    field: 'spec.template.spec.topologySpreadConstraints[0].maxSkew',
    message: 'spec.template.spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'repeated topology spread constraint',
    object: () =>
      set(nginxDeployment(), 'spec.template.spec.topologySpreadConstraints', [
        { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' },
        { maxSkew: 2, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' },
      ]),
    field: 'spec.template.spec.topologySpreadConstraints[0].{topologyKey, whenUnsatisfiable}',
    message: 'spec.template.spec.topologySpreadConstraints[0].{topologyKey, whenUnsatisfiable}: Duplicate value: "{zone, DoNotSchedule}"',
    reason: 'FieldValueDuplicate',
  },
  {
    name: 'bad nodeSelector key',
    object: () => set(nginxDeployment(), 'spec.template.spec.nodeSelector', { 'disk type': 'ssd' }),
    field: 'spec.template.spec.nodeSelector',
    message:
      "spec.template.spec.nodeSelector: Invalid value: \"disk type\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    reason: 'FieldValueInvalid',
  },
  // Services
  {
    name: 'service name starting with a digit',
    object: () => set(nginxService(), 'metadata.name', '1web'),
    field: 'metadata.name',
    message: `metadata.name: Invalid value: "1web": ${DNS1035_LABEL_MSG}`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'nodePort outside the range',
    object: () => set(nginxService(), 'spec.ports[0].nodePort', 80),
    field: 'spec.ports[0].nodePort',
    message: 'spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'nodePort on a ClusterIP service',
    object: () => set(set(nginxService(), 'spec.type', undefined), 'spec.ports[0].nodePort', 30080),
    field: 'spec.ports[0].nodePort',
    message: "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    reason: 'FieldValueForbidden',
  },
  {
    name: 'the same port twice',
    object: () =>
      set(nginxService(), 'spec.ports', [
        { name: 'a', port: 80 },
        { name: 'b', port: 80, targetPort: 8080 },
      ]),
    field: 'spec.ports[1]',
    message: 'spec.ports[1]: Duplicate value: {"port":80,"protocol":"TCP"}',
    reason: 'FieldValueDuplicate',
  },
  {
    name: 'several ports without names',
    object: () => set(nginxService(), 'spec.ports', [{ port: 80 }, { name: 'https', port: 443 }]),
    field: 'spec.ports[0].name',
    message: 'spec.ports[0].name: Required value',
    reason: 'FieldValueRequired',
  },
  {
    name: 'unsupported protocol',
    object: () => set(nginxService(), 'spec.ports[0].protocol', 'SCTP'),
    field: 'spec.ports[0].protocol',
    message: 'spec.ports[0].protocol: Unsupported value: "SCTP": supported values: "TCP", "UDP"',
    reason: 'FieldValueNotSupported',
  },
  {
    name: 'unsupported service type',
    object: () => set(nginxService(), 'spec.type', 'ExternalName'),
    field: 'spec.type',
    message: 'spec.type: Unsupported value: "ExternalName": supported values: "ClusterIP", "NodePort", "LoadBalancer"',
    reason: 'FieldValueNotSupported',
  },
  {
    name: 'numeric targetPort written as a string',
    object: () => set(nginxService(), 'spec.ports[0].targetPort', '80'),
    field: 'spec.ports[0].targetPort',
    message: 'spec.ports[0].targetPort: Invalid value: "80": must contain at least one letter (a-z)',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'targetPort of the wrong type',
    object: () => set(nginxService(), 'spec.ports[0].targetPort', true),
    field: 'spec.ports[0].targetPort',
    message: 'spec.ports[0].targetPort: Invalid value: true: must be an integer or a string',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'service without ports',
    object: () => set(nginxService(), 'spec.ports', undefined),
    field: 'spec.ports',
    message: 'spec.ports: Required value',
    reason: 'FieldValueRequired',
  },
  // HorizontalPodAutoscalers
  {
    name: 'minReplicas above maxReplicas',
    object: () => set(set(hpa(), 'spec.minReplicas', 5), 'spec.maxReplicas', 2),
    field: 'spec.maxReplicas',
    message: 'spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'missing maxReplicas',
    object: () => set(hpa(), 'spec.maxReplicas', undefined),
    field: 'spec.maxReplicas',
    message: 'spec.maxReplicas: Required value',
    reason: 'FieldValueRequired',
  },
  {
    name: 'minReplicas 0',
    object: () => set(hpa(), 'spec.minReplicas', 0),
    field: 'spec.minReplicas',
    message: 'spec.minReplicas: Invalid value: 0: must be greater than or equal to 1',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'scaleTargetRef without kind',
    object: () => set(hpa(), 'spec.scaleTargetRef.kind', undefined),
    field: 'spec.scaleTargetRef.kind',
    message: 'spec.scaleTargetRef.kind: Required value',
    reason: 'FieldValueRequired',
  },
  {
    name: 'Resource metric without its source',
    object: () => set(hpa(), 'spec.metrics', [{ type: 'Resource' }]),
    field: 'spec.metrics[0].resource',
    message: 'spec.metrics[0].resource: Required value: must populate information for the given metric source',
    reason: 'FieldValueRequired',
  },
  {
    name: 'Resource metric without a target value',
    object: () => set(hpa(), 'spec.metrics', [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization' } } }]),
    field: 'spec.metrics[0].resource.target.averageUtilization',
    message: 'spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value or a target utilization',
    reason: 'FieldValueRequired',
  },
  {
    name: 'Pods metric with a bad averageValue',
    object: () => set(hpa(), 'spec.metrics', [{ type: 'Pods', pods: { metric: { name: 'latency' }, target: { type: 'AverageValue', averageValue: 'fast' } } }]),
    field: 'spec.metrics[0].pods.target.averageValue',
    message: `spec.metrics[0].pods.target.averageValue: Invalid value: "fast": ${QUANTITY_MSG}`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'stabilization window above an hour',
    object: () => set(hpa(), 'spec.behavior', { scaleDown: { stabilizationWindowSeconds: 4000 } }),
    field: 'spec.behavior.scaleDown.stabilizationWindowSeconds',
    message: 'spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: 4000: must be less than or equal to 3600',
    reason: 'FieldValueInvalid',
  },
  {
    name: 'scaling policy with period 0',
    object: () => set(hpa(), 'spec.behavior', { scaleUp: { policies: [{ type: 'Pods', value: 4, periodSeconds: 0 }] } }),
    field: 'spec.behavior.scaleUp.policies[0].periodSeconds',
    message: 'spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 0: must be greater than zero',
    reason: 'FieldValueInvalid',
  },
  // Namespaces and Nodes
  {
    name: 'namespace name with a dot',
    object: () => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team.a' } }),
    field: 'metadata.name',
    message: `metadata.name: Invalid value: "team.a": ${DNS1123_LABEL_MSG}`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'namespace on a cluster-scoped kind',
    object: () => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', namespace: 'default' } }),
    field: 'metadata.namespace',
    message: 'metadata.namespace: Forbidden: not allowed on this type',
    reason: 'FieldValueForbidden',
  },
  {
    name: 'taint without effect',
    object: () => set(node(), 'spec.taints', [{ key: 'dedicated', value: 'gpu' }]),
    field: 'spec.taints[0].effect',
    message: 'spec.taints[0].effect: Required value',
    reason: 'FieldValueRequired',
  },
  {
    name: 'node capacity that is not a quantity',
    object: () => set(node(), 'status', { capacity: { cpu: 'four' } }),
    field: 'status.capacity[cpu]',
    message: `status.capacity[cpu]: Invalid value: "four": ${QUANTITY_MSG}`,
    reason: 'FieldValueInvalid',
  },
  {
    name: 'event of an unknown type',
    object: () => ({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'web.1' }, involvedObject: { kind: 'Pod', name: 'web' }, type: 'Error' }),
    field: 'type',
    message: 'type: Unsupported value: "Error": supported values: "Normal", "Warning"',
    reason: 'FieldValueNotSupported',
  },
];

describe('validateResource: malformed input', () => {
  it.each(cases)('$name -> $field', ({ object, field, message, reason }) => {
    expect(causesOf(object())).toContainEqual({ field, message, reason });
  });

  it('words the top message like the API server for one error', () => {
    const result = validateResource(set(nginxDeployment(), `${C0}.image`, undefined));
    expect(result).toEqual({
      ok: false,
      status: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `Deployment.apps "nginx-deployment" is invalid: ${C0}.image: Required value`,
        reason: 'Invalid',
        details: {
          name: 'nginx-deployment',
          group: 'apps',
          kind: 'Deployment',
          causes: [{ reason: 'FieldValueRequired', message: `${C0}.image: Required value`, field: `${C0}.image` }],
        },
        code: 422,
      },
    });
  });

  it('returns every bad field at once, joined in brackets', () => {
    const deployment = set(set(set(nginxDeployment(), 'spec.replicas', -1), `${C0}.image`, undefined), 'spec.template.metadata.labels', { app: 'web' });
    set(deployment, `${C0}.ports[0].containerPort`, 0);
    const result = validateResource(deployment);
    if (result.ok) throw new Error('expected invalid');
    const fields = result.status.details?.causes?.map((c) => c.field);
    expect(fields).toEqual(
      expect.arrayContaining(['spec.replicas', `${C0}.image`, `${C0}.ports[0].containerPort`, 'spec.template.metadata.labels']),
    );
    expect(fields).toHaveLength(4);
    expect(result.status.message).toBe(
      `Deployment.apps "nginx-deployment" is invalid: [${result.status.details?.causes?.map((c) => c.message).join(', ')}]`,
    );
  });

  it('names core-group kinds without a group', () => {
    const result = validateResource(set(nginxService(), 'spec.ports', []));
    expect(result.ok || result.status.message).toBe('Service "nginx-service" is invalid: spec.ports: Required value');
    expect(result.ok || result.status.details?.group).toBeUndefined();
  });

  it('lists the fields of a missing spec, as Kubernetes does', () => {
    const fields = causesOf({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } }).map((c) => c.field);
    expect(fields).toEqual(['spec.selector', 'spec.template.spec.containers']);
  });

  it('flags duplicate taints by key and effect', () => {
    const taints = [
      { key: 'dedicated', value: 'a', effect: 'NoSchedule' },
      { key: 'dedicated', value: 'b', effect: 'NoSchedule' },
    ];
    const cause = causesOf(set(node(), 'spec.taints', taints)).find((c) => c.field === 'spec.taints[1]');
    expect(cause?.reason).toBe('FieldValueDuplicate');
    expect(cause?.message).toMatch(/^spec\.taints\[1\]: Duplicate value: .*: taints must be unique by key and effect pair$/);
  });
});

describe('validateResource: kinds it does not know', () => {
  it.each([
    [{ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' } }, 'no matches for kind "StatefulSet" in version "apps/v1"', { kind: 'StatefulSet', group: 'apps' }],
    [{ apiVersion: 'v1', kind: 'Deployment', metadata: { name: 'web' } }, 'no matches for kind "Deployment" in version "v1"', { kind: 'Deployment' }],
    [{ apiVersion: 'extensions/v1beta1', kind: 'Deployment' }, 'no matches for kind "Deployment" in version "extensions/v1beta1"', { kind: 'Deployment', group: 'extensions' }],
    [{ apiVersion: 'v1', metadata: { name: 'x' } }, "Object 'Kind' is missing", undefined],
    [{ kind: 'Service' }, "Object 'apiVersion' is missing", { kind: 'Service' }],
    [['apiVersion', 'v1'], 'the object must be a mapping with apiVersion and kind, not a list', undefined],
    ['kind: Service', 'the object must be a mapping with apiVersion and kind, not a string', undefined],
    [null, 'the object must be a mapping with apiVersion and kind, not null', undefined],
  ])('%j -> 400 BadRequest', (object, message, details) => {
    const result = validateResource(object);
    expect(result).toEqual({
      ok: false,
      status: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'BadRequest', code: 400, ...(details ? { details } : {}) },
    });
  });

  it('refuses absurd nesting before walking it', () => {
    let deep: unknown = {};
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    const result = validateResource({ ...nginxDeployment(), extra: deep });
    expect(result.ok).toBe(false);
    expect(result.ok || result.status).toMatchObject({ code: 400, message: 'the object is nested more than 128 levels deep' });
  });
});

describe('validateResource: accepted objects', () => {
  it('accepts the seed Deployment unchanged and applies the Kubernetes defaults', () => {
    const input = nginxDeployment();
    const result = validateResource(input);
    expect(result).toEqual({
      ok: true,
      warnings: [],
      value: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'nginx-deployment', namespace: 'default', labels: { app: 'nginx' } },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'nginx' } },
          template: {
            metadata: { labels: { app: 'nginx' } },
            spec: {
              containers: [
                { name: 'nginx', image: 'nginx:latest', imagePullPolicy: 'Always', ports: [{ containerPort: 80, protocol: 'TCP' }] },
              ],
              restartPolicy: 'Always',
              terminationGracePeriodSeconds: 30,
            },
          },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
          minReadySeconds: 0,
          revisionHistoryLimit: 10,
          progressDeadlineSeconds: 600,
          paused: false,
        },
      },
    });
    expect(input).toEqual(nginxDeployment());
  });

  it('accepts the seed Service and defaults targetPort and type', () => {
    const withoutTargetPort = set(set(nginxService(), 'spec.ports[0].targetPort', undefined), 'spec.type', undefined);
    const result = validateResource(withoutTargetPort);
    expect(result.ok && result.value).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'nginx-service', namespace: 'default' },
      spec: { selector: { app: 'nginx' }, ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }], type: 'ClusterIP' },
    });
  });

  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.27', 'IfNotPresent'],
    ['registry.local:5000/nginx', 'Always'],
    ['registry.local:5000/nginx:1.0', 'IfNotPresent'],
    ['nginx@sha256:0123456789abcdef', 'IfNotPresent'],
  ])('defaults imagePullPolicy for %s to %s', (image, policy) => {
    const result = validateResource(set(nginxDeployment(), `${C0}.image`, image));
    expect(result.ok && result.value.kind === 'Deployment' && result.value.spec.template.spec.containers[0].imagePullPolicy).toBe(policy);
  });

  it('fills probe defaults', () => {
    const result = validateResource(set(nginxDeployment(), `${C0}.livenessProbe`, { httpGet: { port: 80 } }));
    expect(result.ok && result.value.kind === 'Deployment' && result.value.spec.template.spec.containers[0].livenessProbe).toEqual({
      httpGet: { path: '/', port: 80, scheme: 'HTTP' },
      initialDelaySeconds: 0,
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
  });

  it('fills HPA defaults: minReplicas 1, cpu at 80%, controller behavior', () => {
    const result = validateResource(set(hpa(), 'spec.minReplicas', undefined));
    if (!result.ok || result.value.kind !== 'HorizontalPodAutoscaler') throw new Error('expected a valid HPA');
    expect(result.value.spec.minReplicas).toBe(1);
    expect(result.value.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    expect(result.value.spec.behavior.scaleDown).toEqual({
      stabilizationWindowSeconds: 300,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    });
    expect(result.value.spec.behavior.scaleUp.stabilizationWindowSeconds).toBe(0);
  });

  it('warns about unknown fields like kubectl instead of failing', () => {
    const deployment = set(set(nginxDeployment(), 'spec.foo', 1), `${C0}.volumeMounts`, [{ name: 'data', mountPath: '/data' }]);
    const result = validateResource(deployment);
    expect(result.ok && result.warnings).toEqual([`unknown field "${C0}.volumeMounts"`, 'unknown field "spec.foo"']);
    expect(result.ok && result.value.kind === 'Deployment' && 'foo' in result.value.spec).toBe(false);
  });

  it('treats null fields as absent, like kubectl-generated YAML', () => {
    const deployment = set(set(nginxDeployment(), 'metadata.creationTimestamp', null), 'status', {});
    set(deployment, `${C0}.resources`, {});
    expect(validateResource(deployment).ok).toBe(true);
  });

  it('puts namespaced objects in the requested namespace, and keeps an explicit one', () => {
    const defaulted = validateResource(nginxDeployment(), { namespace: 'team-a' });
    expect(defaulted.ok && defaulted.value.metadata).toMatchObject({ namespace: 'team-a' });
    const explicit = validateResource(set(nginxDeployment(), 'metadata.namespace', 'prod'), { namespace: 'team-a' });
    expect(explicit.ok && explicit.value.metadata).toMatchObject({ namespace: 'prod' });
    const cluster = validateResource({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } }, { namespace: 'x' });
    expect(cluster.ok && cluster.value.metadata).toEqual({ name: 'team-a' });
  });

  it('names objects from generateName', () => {
    const result = validateResource(set(set(nginxDeployment(), 'metadata.name', undefined), 'metadata.generateName', 'web-'));
    expect(result.ok && result.value.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('accepts a full-featured Deployment', () => {
    const deployment = nginxDeployment();
    set(deployment, 'spec.strategy', { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    set(deployment, 'spec.selector.matchExpressions', [{ key: 'tier', operator: 'NotIn', values: ['db'] }]);
    set(deployment, `${C0}.resources`, { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: 0.5, memory: '128Mi' } });
    set(deployment, `${C0}.readinessProbe`, { httpGet: { path: '/ready', port: 'http', httpHeaders: [{ name: 'X-Probe', value: '1' }] } });
    set(deployment, `${C0}.ports`, [{ name: 'http', containerPort: 80, hostPort: 8080 }]);
    set(deployment, `${C0}.env`, [{ name: 'MODE', value: 'prod' }]);
    set(deployment, 'spec.template.spec.nodeSelector', { 'kubernetes.io/os': 'linux' });
    set(deployment, 'spec.template.spec.tolerations', [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }, { operator: 'Exists' }]);
    set(deployment, 'spec.template.spec.affinity', {
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }] } },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: 'nginx' } }, topologyKey: 'kubernetes.io/hostname' } },
        ],
      },
    });
    set(deployment, 'spec.template.spec.topologySpreadConstraints', [
      { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'nginx' } } },
    ]);
    set(deployment, 'spec.template.spec.priority', 1000);
    const result = validateResource(deployment);
    expect(result).toMatchObject({ ok: true, warnings: [] });
    if (!result.ok || result.value.kind !== 'Deployment') return;
    expect(result.value.spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '0.5', memory: '128Mi' } });
    expect(result.value.spec.template.spec.tolerations?.[1]).toEqual({ operator: 'Exists' });
  });
});
