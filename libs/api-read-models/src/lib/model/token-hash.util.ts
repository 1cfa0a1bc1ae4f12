import { createHash } from 'node:crypto';

/** sha256 of a presented bearer token, lowercase hex: the key tokens are looked up by. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The stored hash of a TokenCreated event as lowercase hex. Accepts hex (optionally
 * `sha256:`-prefixed), base64 and base64url, so the writer's encoding does not matter;
 * undefined when it is not a sha256 digest at all.
 */
export function normalizeTokenHash(hash: string): string | undefined {
  const text = hash.trim().replace(/^sha256:/i, '');
  if (/^[0-9a-f]{64}$/i.test(text)) return text.toLowerCase();
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === 32) return bytes.toString('hex');
  }
  return undefined;
}
