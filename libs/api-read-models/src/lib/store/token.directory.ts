import { timingSafeEqual } from 'node:crypto';
import { TokenRecord } from '../model/api-object.model';
import { hashToken } from '../model/token-hash.util';
import { ApiObjectReader } from './api-object.reader';

interface Cached {
  record: TokenRecord | undefined;
  until: number;
}

/**
 * Finds the token a bearer secret belongs to: by its sha256, then compared in constant time.
 * Answers are cached briefly: a revocation applies within `ttlMs` once projected.
 */
export class TokenDirectory {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly reader: ApiObjectReader,
    private readonly ttlMs = 1_000,
    private readonly maxEntries = 10_000,
  ) {}

  /** The live (not revoked) token for this secret, or undefined. */
  async authenticate(secret: string): Promise<TokenRecord | undefined> {
    const presented = hashToken(secret);
    const now = Date.now();
    let entry = this.cache.get(presented);
    if (!entry || entry.until < now) {
      const record = await this.reader.tokenByHash(presented);
      // A miss is kept only briefly: a token created a moment ago must work at once.
      entry = { record, until: now + (record ? this.ttlMs : Math.min(this.ttlMs, 250)) };
      if (this.cache.size >= this.maxEntries) this.cache.clear();
      this.cache.set(presented, entry);
    }
    const record = entry.record;
    if (!record || record.revoked) return undefined;
    const stored = Buffer.from(record.hashHex, 'hex');
    const given = Buffer.from(presented, 'hex');
    return stored.length === given.length && timingSafeEqual(stored, given) ? record : undefined;
  }

  /** Drops every cached answer (after a token event was projected here). */
  forget(): void {
    this.cache.clear();
  }
}
