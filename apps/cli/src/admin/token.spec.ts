import { createHash } from 'node:crypto';
import { createToken, formatToken, hashToken, newTokenId, parseRole, revokeToken, TokenLog } from './token';

/** An in-memory log with the event store's expected-version rule. */
class MemoryLog implements TokenLog {
  readonly streams = new Map<string, { type: string; data: unknown; metadata?: Record<string, unknown> }[]>();
  async append(streamId: string, expected: number | 'no_stream' | 'any', events: { type: string; data: unknown; metadata?: Record<string, unknown> }[]): Promise<void> {
    const stream = this.streams.get(streamId) ?? [];
    const version = stream.length - 1;
    if ((expected === 'no_stream' && stream.length > 0) || (typeof expected === 'number' && expected !== version)) {
      throw Object.assign(new Error('wrong expected version'), { name: 'WrongExpectedVersion' });
    }
    this.streams.set(streamId, [...stream, ...events]);
  }
  async readStream(streamId: string) {
    return this.streams.get(streamId) ?? [];
  }
}

describe('token format', () => {
  it('is berth_<id>_<43 base64url characters for 32 bytes>', () => {
    const token = formatToken('abc123', Buffer.alloc(32, 0xff));
    expect(token).toBe(`berth_abc123_${'_'.repeat(42)}8`);
    expect(formatToken(newTokenId())).toMatch(/^berth_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
  });
  it('hashes with sha256, hex', () => {
    expect(hashToken('berth_a_b')).toBe(createHash('sha256').update('berth_a_b').digest('hex'));
  });
  it('accepts only the three roles', () => {
    expect(parseRole('edit')).toBe('edit');
    expect(() => parseRole('root')).toThrow('invalid role "root"');
    expect(() => parseRole(undefined)).toThrow('--role is required');
  });
});

describe('createToken / revokeToken', () => {
  it('appends TokenCreated with the hash (never the token) to token:<id>, once', async () => {
    const log = new MemoryLog();
    const created = await createToken(log, { role: 'edit', namespace: 'team-a', id: 'ci' }, 'tester');
    expect(created.token.startsWith('berth_ci_')).toBe(true);
    expect(log.streams.get('token:ci')).toEqual([{ type: 'TokenCreated', data: { role: 'edit', namespace: 'team-a', hash: hashToken(created.token) }, metadata: { actor: 'tester' } }]);
    expect(JSON.stringify([...log.streams])).not.toContain(created.token);
    await expect(createToken(log, { role: 'view', id: 'ci' }, 'tester')).rejects.toThrow('a token with id "ci" already exists');
  });

  it('leaves namespace out for cluster-wide tokens and refuses bad ids and namespaces', async () => {
    const log = new MemoryLog();
    const created = await createToken(log, { role: 'admin' }, 'tester');
    expect(log.streams.get(`token:${created.id}`)?.[0].data).toEqual({ role: 'admin', hash: hashToken(created.token) });
    await expect(createToken(log, { role: 'admin', id: 'has_underscore' }, 't')).rejects.toThrow('invalid token id');
    await expect(createToken(log, { role: 'admin', namespace: 'Bad NS' }, 't')).rejects.toThrow('invalid namespace');
  });

  it('revokes an existing token once', async () => {
    const log = new MemoryLog();
    await createToken(log, { role: 'view', id: 'ro' }, 't');
    await revokeToken(log, 'ro', 't');
    expect(log.streams.get('token:ro')?.map((e) => e.type)).toEqual(['TokenCreated', 'TokenRevoked']);
    await expect(revokeToken(log, 'ro', 't')).rejects.toThrow('already revoked');
    await expect(revokeToken(log, 'nobody', 't')).rejects.toThrow('token "nobody" not found');
  });
});
