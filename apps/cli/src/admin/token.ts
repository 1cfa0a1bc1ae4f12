import { createHash, randomBytes } from 'node:crypto';
import { isDNS1123Label, streamIds } from '@berth/contracts';
import { CliError } from '../commands/cli.errors';

export const TOKEN_ROLES = ['admin', 'edit', 'view'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

/** Bytes of randomness in a token's secret part (the contract: 32). */
const SECRET_BYTES = 32;

/** A random id: 12 hex characters, never an underscore (the token's separator). */
export function newTokenId(): string {
  return randomBytes(6).toString('hex');
}

/** `berth_<id>_<32 random bytes, base64url>`: the id lets the gateway find the hash to compare. */
export function formatToken(id: string, secret: Uint8Array = randomBytes(SECRET_BYTES)): string {
  return `berth_${id}_${Buffer.from(secret).toString('base64url')}`;
}

/** What the log stores instead of the token: sha256, hex. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Ids (and --name) are DNS labels: lowercase, digits and '-', so they can never contain the '_' separator. */
export function validateTokenId(id: string): string {
  const problems = isDNS1123Label(id);
  if (problems.length > 0) throw new CliError(`invalid token id "${id}": ${problems.join('; ')}`);
  return id;
}

export function parseRole(role: string | undefined): TokenRole {
  if (role === undefined) throw new CliError('--role is required: admin, edit or view');
  if (!(TOKEN_ROLES as readonly string[]).includes(role)) throw new CliError(`invalid role "${role}": must be admin, edit or view`);
  return role as TokenRole;
}

/** The slice of the event store the token commands need (EventStore fits it). */
export interface TokenLog {
  append(streamId: string, expected: number | 'no_stream' | 'any', events: { type: string; data: unknown; metadata?: Record<string, unknown> }[]): Promise<unknown>;
  readStream(streamId: string): Promise<{ type: string }[]>;
}

export interface CreatedToken {
  id: string;
  token: string;
  role: TokenRole;
  namespace?: string;
}

/** Appends TokenCreated to `token:<id>` (which must not exist yet) and returns the token, which is not stored anywhere. */
export async function createToken(log: TokenLog, request: { role: TokenRole; namespace?: string; id?: string }, actor: string): Promise<CreatedToken> {
  const id = request.id === undefined ? newTokenId() : validateTokenId(request.id);
  if (request.namespace !== undefined) {
    const problems = isDNS1123Label(request.namespace);
    if (problems.length > 0) throw new CliError(`invalid namespace "${request.namespace}": ${problems.join('; ')}`);
  }
  const token = formatToken(id);
  const data = { role: request.role, ...(request.namespace !== undefined ? { namespace: request.namespace } : {}), hash: hashToken(token) };
  try {
    await log.append(streamIds.token(id), 'no_stream', [{ type: 'TokenCreated', data, metadata: { actor } }]);
  } catch (error) {
    if ((error as Error).name === 'WrongExpectedVersion') throw new CliError(`a token with id "${id}" already exists`);
    throw error;
  }
  return { id, token, role: request.role, ...(request.namespace !== undefined ? { namespace: request.namespace } : {}) };
}

/** Appends TokenRevoked, at the stream's current version so a concurrent change is not overwritten. */
export async function revokeToken(log: TokenLog, id: string, actor: string): Promise<void> {
  const streamId = streamIds.token(validateTokenId(id));
  const events = await log.readStream(streamId);
  if (events.length === 0) throw new CliError(`token "${id}" not found`);
  if (events[events.length - 1].type === 'TokenRevoked') throw new CliError(`token "${id}" is already revoked`);
  try {
    await log.append(streamId, events.length - 1, [{ type: 'TokenRevoked', data: {}, metadata: { actor } }]);
  } catch (error) {
    if ((error as Error).name === 'WrongExpectedVersion') throw new CliError(`token "${id}" changed while revoking it; run the command again`);
    throw error;
  }
}
