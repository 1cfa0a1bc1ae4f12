import { CliError } from '../commands/cli.errors';
import { ALL_KINDS, ResourceKind, resolveResourceKind } from './resource-kinds';

/** One kind with the names asked for; no names means "every object of that kind". */
export interface ResourceRequest {
  kind: ResourceKind;
  names: string[];
}

/**
 * kubectl's resource arguments: `deploy web api`, `deploy/web svc/web`, `deploy,svc`, `all`.
 * The two forms cannot be mixed, and a list of kinds cannot take names.
 */
export function parseResourceArgs(args: readonly string[]): ResourceRequest[] {
  if (args.length === 0) throw new CliError('you must specify the type of resource to get, e.g. "berth get pods"');
  const slashed = args.filter((arg) => arg.includes('/'));
  if (slashed.length > 0) {
    if (slashed.length !== args.length) {
      throw new CliError('there is no need to specify a resource type as a separate argument when passing arguments in resource/name form');
    }
    const requests: ResourceRequest[] = [];
    for (const arg of args) {
      const { kind, name } = parseTypeName(arg);
      const existing = requests.find((r) => r.kind === kind);
      if (existing) existing.names.push(name);
      else requests.push({ kind, names: [name] });
    }
    return requests;
  }
  const [kinds, ...names] = args;
  const kindNames = kinds
    .split(',')
    .filter((k) => k !== '')
    .flatMap((k) => (k.toLowerCase() === 'all' ? [...ALL_KINDS] : [k]));
  const resolved = [...new Set(kindNames.map(resolveResourceKind))];
  if (resolved.length > 1 && names.length > 0) {
    throw new CliError('names cannot be given with several resource types; use the type/name form');
  }
  return resolved.map((kind) => ({ kind, names }));
}

/** `deployment/web` -> Deployment + "web"; a bare name is refused. */
export function parseTypeName(arg: string, defaultKind?: ResourceKind): { kind: ResourceKind; name: string } {
  const slash = arg.indexOf('/');
  if (slash === -1) {
    if (defaultKind) return { kind: defaultKind, name: arg };
    throw new CliError(`arguments in resource/name form are required, e.g. deployment/web (got "${arg}")`);
  }
  const name = arg.slice(slash + 1);
  if (name === '' || name.includes('/')) throw new CliError(`arguments in resource/name form must have a single resource and name (got "${arg}")`);
  return { kind: resolveResourceKind(arg.slice(0, slash)), name };
}

/** `TYPE NAME` or `TYPE/NAME` (or a bare NAME when there is a default kind) for commands on one object. */
export function parseSingleObject(args: readonly string[], allowed?: readonly ResourceKind[], defaultKind?: ResourceKind): { kind: ResourceKind; name: string } {
  let target: { kind: ResourceKind; name: string };
  if (args.length === 1) target = parseTypeName(args[0], defaultKind);
  else if (args.length === 2 && !args[0].includes('/')) target = { kind: resolveResourceKind(args[0]), name: args[1] };
  else throw new CliError('expected one resource, as TYPE NAME or TYPE/NAME');
  if (allowed && !allowed.includes(target.kind)) {
    throw new CliError(`${target.kind.resource} are not supported here; expected ${allowed.map((k) => k.resource).join(' or ')}`);
  }
  return target;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration for what users type: `30s`, `5m`, `1h30m`, `500ms`, or a bare `0`. In milliseconds. */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  const pattern = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    total += Number(match[1]) * DURATION_UNITS[match[2]];
    consumed = pattern.lastIndex;
  }
  if (text === '' || consumed !== text.length) throw new CliError(`invalid duration "${text}": use a number with a unit, e.g. 30s, 5m, 1h30m`);
  return total;
}

/** A non-negative integer option such as --replicas or --tail. */
export function parseCount(text: string, option: string): number {
  if (!/^\d+$/.test(text)) throw new CliError(`${option} must be a non-negative integer, got "${text}"`);
  return Number(text);
}
