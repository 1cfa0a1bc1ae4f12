import { MAX_WARNING_LENGTH, MAX_WARNINGS_BYTES, warningHeaders } from './api-reply.interceptor';

describe('warningHeaders', () => {
  it('sends every warning while they fit in 4 KiB, as visible ASCII', () => {
    expect(warningHeaders(['unknown field "spec.x"', 'é'])).toEqual(['299 - "unknown field \\"spec.x\\""', '299 - "?"']);
  });

  it('past 4 KiB, cuts each to 256 characters and leaves the rest out, saying how many', () => {
    const warnings = Array.from({ length: 5_000 }, (_, i) => `unknown field "spec.field${i}${'x'.repeat(300)}"`);
    const headers = warningHeaders(warnings);
    const kept = headers.slice(0, -1);
    expect(kept.reduce((sum, h) => sum + h.length, 0)).toBeLessThanOrEqual(MAX_WARNINGS_BYTES);
    for (const header of kept) expect(header.length).toBeLessThanOrEqual(MAX_WARNING_LENGTH + 20);
    expect(headers[headers.length - 1]).toBe(`299 - "${warnings.length - kept.length} more warnings were left out"`);
  });
});
