import { OBJECT_TYPES, PATCH_TYPES } from '../shared/body-decoder';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One API route as the OpenAPI document describes it. Paths use `{param}`. */
export interface RouteDoc {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  /** Schema name of the 2xx body. */
  returns: string;
  code?: number;
  body?: 'object' | 'patch' | 'apply' | 'rollback';
  list?: boolean;
  query?: string[];
  public?: boolean;
  text?: boolean;
  html?: boolean;
}

function crud(tag: string, base: string, kind: string, options: { all?: string; write?: boolean; update?: boolean; del?: boolean } = {}): RouteDoc[] {
  const routes: RouteDoc[] = [];
  if (options.all) routes.push({ method: 'get', path: options.all, summary: `List or watch ${tag} of every namespace`, tag, returns: `${kind}List`, list: true });
  routes.push({ method: 'get', path: base, summary: `List or watch ${tag}`, tag, returns: `${kind}List`, list: true });
  if (options.write !== false) routes.push({ method: 'post', path: base, summary: `Create a ${kind}`, tag, returns: kind, code: 201, body: 'object', query: ['dryRun'] });
  routes.push({ method: 'get', path: `${base}/{name}`, summary: `Read a ${kind}`, tag, returns: kind, query: ['resourceVersion'] });
  if (options.update !== false) {
    routes.push({ method: 'put', path: `${base}/{name}`, summary: `Replace a ${kind} (a stale metadata.resourceVersion is a 409)`, tag, returns: kind, body: 'object' });
    routes.push({ method: 'patch', path: `${base}/{name}`, summary: `Patch a ${kind} (merge patch or JSON patch)`, tag, returns: kind, body: 'patch' });
  }
  if (options.del !== false) routes.push({ method: 'delete', path: `${base}/{name}`, summary: `Delete a ${kind}`, tag, returns: 'Status' });
  return routes;
}

const DEPLOYMENTS = '/apis/apps/v1/namespaces/{namespace}/deployments';

/** Every route of the API (a test checks this against the controllers). */
export const API_ROUTES: readonly RouteDoc[] = [
  { method: 'get', path: '/version', summary: 'Server version', tag: 'discovery', returns: 'Object', public: true },
  { method: 'get', path: '/api', summary: 'Core API versions', tag: 'discovery', returns: 'Object' },
  { method: 'get', path: '/api/v1', summary: 'Resources of the core group', tag: 'discovery', returns: 'Object' },
  { method: 'get', path: '/apis', summary: 'API groups', tag: 'discovery', returns: 'Object' },
  { method: 'get', path: '/apis/{group}', summary: 'One API group', tag: 'discovery', returns: 'Object' },
  { method: 'get', path: '/apis/{group}/{version}', summary: 'Resources of a group version', tag: 'discovery', returns: 'Object' },
  { method: 'get', path: '/openapi.json', summary: 'This document', tag: 'discovery', returns: 'Object', public: true },
  { method: 'get', path: '/docs', summary: 'Swagger UI for this document (its files under /docs/, served from swagger-ui-dist)', tag: 'discovery', returns: 'Object', public: true, html: true },
  ...crud('namespaces', '/api/v1/namespaces', 'Namespace', { update: false }),
  { method: 'get', path: '/api/v1/nodes', summary: 'List or watch nodes', tag: 'nodes', returns: 'NodeList', list: true },
  { method: 'get', path: '/api/v1/nodes/{name}', summary: 'Read a Node', tag: 'nodes', returns: 'Node' },
  { method: 'patch', path: '/api/v1/nodes/{name}', summary: 'Cordon or uncordon a node (spec.unschedulable)', tag: 'nodes', returns: 'Node', body: 'patch' },
  { method: 'post', path: '/api/v1/nodes/{name}/drain', summary: 'Drain a node (Berth extension): cordon it and move its replicas', tag: 'nodes', returns: 'Status', code: 202 },
  ...crud('pods', '/api/v1/namespaces/{namespace}/pods', 'Pod', { all: '/api/v1/pods', write: false, update: false }),
  {
    method: 'get',
    path: '/api/v1/namespaces/{namespace}/pods/{name}/log',
    summary: 'Logs of a pod, from its node (chunked while following)',
    tag: 'pods',
    returns: 'Object',
    text: true,
    query: ['follow', 'tailLines', 'sinceSeconds', 'limitBytes', 'container'],
  },
  ...crud('services', '/api/v1/namespaces/{namespace}/services', 'Service', { all: '/api/v1/services' }),
  { method: 'get', path: '/api/v1/events', summary: 'List or watch events of every namespace', tag: 'events', returns: 'EventList', list: true },
  { method: 'get', path: '/api/v1/namespaces/{namespace}/events', summary: 'List or watch events', tag: 'events', returns: 'EventList', list: true },
  { method: 'get', path: '/api/v1/namespaces/{namespace}/events/{name}', summary: 'Read an Event', tag: 'events', returns: 'Event' },
  ...crud('deployments', DEPLOYMENTS, 'Deployment', { all: '/apis/apps/v1/deployments' }),
  { method: 'get', path: `${DEPLOYMENTS}/{name}/status`, summary: 'Read the status of a Deployment', tag: 'deployments', returns: 'Deployment' },
  { method: 'get', path: `${DEPLOYMENTS}/{name}/scale`, summary: 'Read the scale of a Deployment', tag: 'deployments', returns: 'Scale' },
  { method: 'put', path: `${DEPLOYMENTS}/{name}/scale`, summary: 'Scale a Deployment', tag: 'deployments', returns: 'Scale', body: 'object' },
  { method: 'patch', path: `${DEPLOYMENTS}/{name}/scale`, summary: 'Scale a Deployment with a patch', tag: 'deployments', returns: 'Scale', body: 'patch' },
  { method: 'get', path: `${DEPLOYMENTS}/{name}/history`, summary: 'Rollout history (Berth extension)', tag: 'deployments', returns: 'DeploymentHistory' },
  { method: 'post', path: `${DEPLOYMENTS}/{name}/rollback`, summary: 'Roll back to a revision (Berth extension)', tag: 'deployments', returns: 'Deployment', body: 'rollback' },
  ...crud('horizontalpodautoscalers', '/apis/autoscaling/v2/namespaces/{namespace}/horizontalpodautoscalers', 'HorizontalPodAutoscaler', {
    all: '/apis/autoscaling/v2/horizontalpodautoscalers',
  }),
  { method: 'get', path: '/apis/metrics.k8s.io/v1beta1/nodes', summary: 'Usage of every node', tag: 'metrics', returns: 'Object' },
  { method: 'get', path: '/apis/metrics.k8s.io/v1beta1/nodes/{name}', summary: 'Usage of a node', tag: 'metrics', returns: 'Object' },
  { method: 'get', path: '/apis/metrics.k8s.io/v1beta1/pods', summary: 'Usage of every pod', tag: 'metrics', returns: 'Object', query: ['labelSelector'] },
  {
    method: 'get',
    path: '/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods',
    summary: 'Usage of the pods of a namespace',
    tag: 'metrics',
    returns: 'Object',
    query: ['labelSelector'],
  },
  { method: 'get', path: '/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods/{name}', summary: 'Usage of a pod', tag: 'metrics', returns: 'Object' },
  {
    method: 'post',
    path: '/apply',
    summary: 'Apply a multi-document body (Berth extension): each object created or configured, results per object (207 when some failed)',
    tag: 'apply',
    returns: 'ApplyResult',
    body: 'apply',
    query: ['namespace', 'dryRun'],
  },
];

const LIST_QUERY = ['labelSelector', 'fieldSelector', 'limit', 'continue', 'resourceVersion', 'watch', 'timeoutSeconds'];

const QUERY_HELP: Record<string, string> = {
  labelSelector: 'Label selector (a=b, a!=b, a in (x,y), a notin (x), a, !a)',
  fieldSelector: 'Field selector (metadata.name=..., metadata.namespace=...; pods: spec.nodeName, status.phase; events: involvedObject.*)',
  limit: 'Page size; the answer carries metadata.continue when there is more',
  continue: 'Token from the previous page',
  resourceVersion: 'List: not older than this position. Watch: changes after this position (410 Gone when compacted)',
  watch: 'true: newline-delimited JSON watch events (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR)',
  timeoutSeconds: 'End the watch after this long',
  dryRun: 'All: validate and report, append nothing',
  namespace: 'Namespace of objects that name none',
  follow: 'Keep streaming new lines',
  tailLines: 'Only the last N lines',
  sinceSeconds: 'Only lines of the last N seconds',
  limitBytes: 'At most this many bytes',
  container: 'Container name (one per pod in Berth)',
};

function schemaRef(name: string) {
  return { $ref: `#/components/schemas/${name}` };
}

function requestBody(kind: RouteDoc['body']) {
  if (!kind) return undefined;
  const types = kind === 'patch' ? PATCH_TYPES : kind === 'rollback' ? ['application/json'] : OBJECT_TYPES;
  const schema = kind === 'rollback' ? { type: 'object', properties: { toRevision: { type: 'integer', minimum: 0 } } } : schemaRef('Object');
  return { required: kind !== 'rollback', content: Object.fromEntries(types.map((t) => [t, { schema }])) };
}

const KUBE_OBJECT = {
  type: 'object',
  properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object', additionalProperties: true } },
  additionalProperties: true,
};

/** The OpenAPI 3.0 document served at /openapi.json. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of API_ROUTES) {
    const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = [...(route.list ? LIST_QUERY : []), ...(route.query ?? [])].map((name) => ({ name, in: 'query', required: false, description: QUERY_HELP[name], schema: { type: 'string' } }));
    const success = String(route.code ?? 200);
    const content = route.html
      ? { 'text/html': { schema: { type: 'string' } } }
      : route.text
        ? { 'text/plain': { schema: { type: 'string' } } }
        : { 'application/json': { schema: schemaRef(route.returns) } };
    paths[route.path] ??= {};
    paths[route.path][route.method] = {
      summary: route.summary,
      tags: [route.tag],
      operationId: `${route.method}${route.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      parameters: [...params, ...query],
      ...(route.body ? { requestBody: requestBody(route.body) } : {}),
      ...(route.public ? { security: [] } : {}),
      responses: {
        [success]: { description: 'OK', content },
        default: { description: 'A Kubernetes Status naming what went wrong', content: { 'application/json': { schema: schemaRef('Status') } } },
      },
    };
  }
  const kinds = ['Namespace', 'Node', 'Pod', 'Service', 'Event', 'Deployment', 'HorizontalPodAutoscaler', 'Scale', 'DeploymentHistory'];
  const schemas: Record<string, unknown> = { Object: KUBE_OBJECT };
  for (const kind of kinds) {
    schemas[kind] = KUBE_OBJECT;
    schemas[`${kind}List`] = {
      type: 'object',
      properties: {
        kind: { type: 'string' },
        apiVersion: { type: 'string' },
        metadata: { type: 'object', properties: { resourceVersion: { type: 'string' }, continue: { type: 'string' } } },
        items: { type: 'array', items: schemaRef(kind) },
      },
    };
  }
  schemas['Status'] = {
    type: 'object',
    properties: {
      kind: { type: 'string', enum: ['Status'] },
      apiVersion: { type: 'string' },
      status: { type: 'string', enum: ['Success', 'Failure'] },
      message: { type: 'string' },
      reason: { type: 'string' },
      code: { type: 'integer' },
      details: {
        type: 'object',
        properties: { name: { type: 'string' }, kind: { type: 'string' }, causes: { type: 'array', items: { type: 'object', properties: { reason: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } } } } },
      },
    },
  };
  schemas['ApplyResult'] = {
    type: 'object',
    properties: {
      kind: { type: 'string', enum: ['ApplyResult'] },
      items: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            kind: { type: 'string' },
            apiVersion: { type: 'string' },
            namespace: { type: 'string' },
            name: { type: 'string' },
            action: { type: 'string', enum: ['created', 'configured', 'unchanged', 'failed'] },
            status: schemaRef('Status'),
            warnings: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
  };
  return {
    openapi: '3.0.3',
    info: { title: 'Berth API', version: '0.1.0', description: 'Kubernetes-style API of Berth. Errors are Kubernetes Status bodies.' },
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas },
    paths,
  };
}
