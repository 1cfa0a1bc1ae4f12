import { reasonForCode, Status, statusFor, StatusReason, statusSchema } from '@berth/contracts';
import { collectionPath, DEPLOYMENTS, NAMESPACES, NODES, objectPath, PODS, ResourceKind } from '../resources/resource-kinds';
import { ApiError, ConnectionError } from './api.errors';
import {
  ApplyResult,
  DeploymentHistory,
  isApplyResult,
  isDeploymentHistory,
  isKubeObject,
  isObjectList,
  isRecord,
  isWatchEvent,
  KubeObject,
  NodeMetrics,
  ObjectList,
  PodMetrics,
  VersionInfo,
  WatchEvent,
} from './api.types';
import { LineSplitter } from './line-splitter';

export interface ApiClientOptions {
  server: string;
  token?: string;
  /** Cancels every request (Ctrl-C, --timeout). */
  signal?: AbortSignal;
  userAgent?: string;
}

type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  /** An object is sent as JSON; a string as is, with `contentType`. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
}

export interface ListOptions {
  /** Undefined: every namespace (namespaced kinds only). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface WatchOptions extends ListOptions {
  resourceVersion?: string;
  signal?: AbortSignal;
}

export interface LogOptions {
  follow?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  limitBytes?: number;
  signal?: AbortSignal;
}

export type PatchType = 'merge' | 'json';

const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
};

/** Pages of this size when listing, like kubectl's --chunk-size default. */
const LIST_CHUNK = 500;


/** A Status for an error response that did not carry one (a proxy's HTML page, an empty body). */
function statusForResponse(code: number, body: string): Status {
  const reason = reasonForCode(code);
  const excerpt = body.trim().slice(0, 200);
  if (code === 404 && excerpt === '') return statusFor(code, reason, 'the server could not find the requested resource');
  const message = excerpt === '' ? `the server responded with HTTP ${code}` : `an error on the server (${JSON.stringify(excerpt)}) has prevented the request from succeeding`;
  return statusFor(code, reason, message);
}

/** The Status in a body, checked against the contract; a body that only looks like one keeps its message. */
export function statusFromBody(code: number, text: string): Status {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return statusForResponse(code, text);
  }
  const parsed = statusSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  if (isRecord(body) && body.kind === 'Status' && typeof body.message === 'string') {
    const reason = typeof body.reason === 'string' ? (body.reason as StatusReason) : reasonForCode(code, 'InternalError');
    return { ...statusFor(code, reason, body.message), ...(typeof body.code === 'number' ? { code: body.code } : {}) };
  }
  return statusForResponse(code, text);
}

function errorCodeOf(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown }).cause;
  if (!isRecord(cause)) return undefined;
  if (typeof cause.code === 'string') return cause.code;
  // Happy eyeballs: "localhost" may fail on ::1 and 127.0.0.1 at once.
  const inner = Array.isArray(cause.errors) ? (cause.errors as unknown[]).find((e) => isRecord(e) && typeof e.code === 'string') : undefined;
  return isRecord(inner) ? (inner.code as string) : undefined;
}

function combine(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length <= 1) return present[0];
  return AbortSignal.any(present);
}

/** A small typed client for the Berth API over fetch (see the HTTP API contract). */
export class ApiClient {
  private readonly server: string;

  constructor(private readonly options: ApiClientOptions) {
    this.server = options.server.replace(/\/+$/, '');
  }

  url(path: string, query: Query = {}): string {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
    const qs = search.toString();
    return `${this.server}${path}${qs ? `?${qs}` : ''}`;
  }

  /** Sends one request; a non-2xx answer becomes ApiError, an unreachable server ConnectionError. */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { Accept: options.accept ?? 'application/json' };
    if (this.options.token) headers['Authorization'] = `Bearer ${this.options.token}`;
    if (this.options.userAgent) headers['User-Agent'] = this.options.userAgent;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['Content-Type'] = options.contentType ?? 'application/json';
    }
    const signal = combine(this.options.signal, options.signal);
    let response: Response;
    try {
      response = await fetch(this.url(path, options.query), { method, headers, body, signal });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new ConnectionError(this.server, errorCodeOf(error), ((error as { cause?: Error }).cause ?? (error as Error)).message);
    }
    if (!response.ok) throw new ApiError(statusFromBody(response.status, await response.text().catch(() => '')));
    return response;
  }

  async json(method: string, path: string, options: RequestOptions = {}): Promise<unknown> {
    const response = await this.send(method, path, options);
    const text = await response.text();
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ApiError(statusFor(response.status, 'InternalError', `the server sent a body that is not JSON: ${JSON.stringify(text.slice(0, 200))}`));
    }
  }

  private async object(method: string, path: string, options: RequestOptions = {}): Promise<KubeObject> {
    const body = await this.json(method, path, options);
    if (!isKubeObject(body)) throw unexpected(path, 'an object');
    return body;
  }

  /**
   * Every page of a list (limit + continue), as one list. Across namespaces it uses the
   * cluster-wide path, or, where the server has none (the contract names it only for pods,
   * deployments and events), lists each namespace in turn.
   */
  async list(kind: ResourceKind, options: ListOptions = {}): Promise<ObjectList> {
    if (!kind.namespaced || options.namespace !== undefined) return this.listPath(collectionPath(kind, options.namespace), options);
    try {
      return await this.listPath(collectionPath(kind), options);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 404)) throw error;
    }
    const namespaces = await this.listPath(collectionPath(NAMESPACES), {});
    const lists = await Promise.all(namespaces.items.map((ns) => this.listPath(collectionPath(kind, ns.metadata?.name ?? ''), options)));
    // resourceVersions are log positions, so the highest is a point after every one of these lists.
    const resourceVersion = String(Math.max(0, ...lists.map((l) => Number(l.metadata?.resourceVersion) || 0)));
    return { kind: lists[0]?.kind, apiVersion: lists[0]?.apiVersion, metadata: { resourceVersion }, items: lists.flatMap((l) => l.items) };
  }

  private async listPath(path: string, options: ListOptions): Promise<ObjectList> {
    const items: KubeObject[] = [];
    let first: ObjectList | undefined;
    let next: string | undefined;
    do {
      const query: Query = { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, limit: LIST_CHUNK, continue: next };
      const page = await this.json('GET', path, { query });
      if (!isObjectList(page)) throw unexpected(path, 'a list');
      first ??= page;
      items.push(...page.items);
      next = page.metadata?.continue || undefined;
    } while (next);
    return { kind: first.kind, apiVersion: first.apiVersion, metadata: { resourceVersion: first.metadata?.resourceVersion }, items };
  }

  get(kind: ResourceKind, namespace: string, name: string, subresource?: string): Promise<KubeObject> {
    return this.object('GET', objectPath(kind, namespace, name, subresource));
  }

  create(kind: ResourceKind, namespace: string | undefined, body: KubeObject): Promise<KubeObject> {
    return this.object('POST', collectionPath(kind, namespace), { body });
  }

  patch(kind: ResourceKind, namespace: string, name: string, patch: unknown, options: { subresource?: string; type?: PatchType } = {}): Promise<KubeObject> {
    return this.object('PATCH', objectPath(kind, namespace, name, options.subresource), {
      body: patch,
      contentType: PATCH_CONTENT_TYPES[options.type ?? 'merge'],
    });
  }

  async remove(kind: ResourceKind, namespace: string, name: string): Promise<void> {
    await this.send('DELETE', objectPath(kind, namespace, name));
  }

  /** POST /apply: the server applies document by document; 207 when some failed. */
  async apply(body: string, options: { contentType: string; namespace?: string; dryRun?: boolean }): Promise<ApplyResult> {
    const result = await this.json('POST', '/apply', {
      body,
      contentType: options.contentType,
      query: { namespace: options.namespace, dryRun: options.dryRun ? 'All' : undefined },
    });
    if (!isApplyResult(result)) throw unexpected('/apply', 'an ApplyResult');
    return result;
  }

  /** A watch stream as events; ends when the server closes it, throws ApiError on an ERROR event. */
  async *watch(kind: ResourceKind, options: WatchOptions = {}): AsyncGenerator<WatchEvent> {
    const path = collectionPath(kind, options.namespace);
    const response = await this.send('GET', path, {
      query: {
        watch: true,
        resourceVersion: options.resourceVersion,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
      },
      signal: options.signal,
    });
    for await (const line of this.lines(response)) {
      let event: unknown;
      try {
        event = JSON.parse(line);
      } catch {
        throw unexpected(path, 'newline-delimited JSON watch events');
      }
      if (!isWatchEvent(event)) throw unexpected(path, 'watch events {type, object}');
      if (event.type === 'ERROR') throw new ApiError(statusFromBody(500, JSON.stringify(event.object)));
      yield event;
    }
  }

  private async *lines(response: Response): AsyncGenerator<string> {
    if (!response.body) return;
    const splitter = new LineSplitter();
    for await (const chunk of streamChunks(response)) yield* splitter.push(chunk);
    yield* splitter.flush();
  }

  /** Pod logs as text chunks as they arrive (followed until the server ends the stream). */
  async *logs(namespace: string, pod: string, options: LogOptions = {}): AsyncGenerator<string> {
    const response = await this.send('GET', objectPath(PODS, namespace, pod, 'log'), {
      accept: 'text/plain',
      query: { follow: options.follow ? 'true' : undefined, tailLines: options.tailLines, sinceSeconds: options.sinceSeconds, limitBytes: options.limitBytes },
      signal: options.signal,
    });
    const decoder = new TextDecoder();
    for await (const chunk of streamChunks(response)) {
      const text = decoder.decode(chunk, { stream: true });
      if (text) yield text;
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  }

  async history(namespace: string, name: string): Promise<DeploymentHistory> {
    const path = objectPath(DEPLOYMENTS, namespace, name, 'history');
    const body = await this.json('GET', path);
    if (!isDeploymentHistory(body)) throw unexpected(path, 'a DeploymentHistory');
    return body;
  }

  rollback(namespace: string, name: string, toRevision?: number): Promise<KubeObject> {
    return this.object('POST', objectPath(DEPLOYMENTS, namespace, name, 'rollback'), { body: toRevision ? { toRevision } : {} });
  }

  async drain(node: string): Promise<Status | undefined> {
    const body = await this.json('POST', objectPath(NODES, '', node, 'drain'), { body: {} });
    const parsed = statusSchema.safeParse(body);
    return parsed.success ? parsed.data : undefined;
  }

  async nodeMetrics(): Promise<NodeMetrics[]> {
    const path = '/apis/metrics.k8s.io/v1beta1/nodes';
    const body = await this.json('GET', path);
    if (!isObjectList(body)) throw unexpected(path, 'a NodeMetricsList');
    return body.items as NodeMetrics[];
  }

  /** Pod metrics of a namespace; of all (undefined) through the cluster-wide path or, lacking it, namespace by namespace. */
  async podMetrics(namespace: string | undefined, labelSelector?: string): Promise<PodMetrics[]> {
    if (namespace === undefined) {
      try {
        return await this.podMetricsAt('/apis/metrics.k8s.io/v1beta1/pods', labelSelector);
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 404)) throw error;
      }
      const namespaces = await this.listPath(collectionPath(NAMESPACES), {});
      const all = await Promise.all(namespaces.items.map((ns) => this.podMetrics(ns.metadata?.name ?? '', labelSelector)));
      return all.flat();
    }
    return this.podMetricsAt(`/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods`, labelSelector);
  }

  /** Usage of one pod (404 when the pod does not exist or has no metrics yet). */
  async podMetric(namespace: string, name: string): Promise<PodMetrics> {
    const path = `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`;
    const body = await this.json('GET', path);
    if (!isKubeObject(body)) throw unexpected(path, 'a PodMetrics');
    return body as PodMetrics;
  }

  private async podMetricsAt(path: string, labelSelector: string | undefined): Promise<PodMetrics[]> {
    const body = await this.json('GET', path, { query: { labelSelector } });
    if (!isObjectList(body)) throw unexpected(path, 'a PodMetricsList');
    return body.items as PodMetrics[];
  }

  async version(): Promise<VersionInfo> {
    const body = await this.json('GET', '/version');
    if (!isRecord(body)) throw unexpected('/version', 'an object');
    return body as VersionInfo;
  }
}

async function* streamChunks(response: Response): AsyncGenerator<Uint8Array> {
  if (!response.body) return;
  try {
    for await (const chunk of response.body) yield chunk;
  } catch (error) {
    // The server went away mid-stream (undici: "terminated"): the stream simply ended for the caller.
    if ((error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError') throw error;
  }
}

function unexpected(path: string, expected: string): ApiError {
  return new ApiError(statusFor(500, 'InternalError', `unexpected response from ${path}: expected ${expected}`));
}
