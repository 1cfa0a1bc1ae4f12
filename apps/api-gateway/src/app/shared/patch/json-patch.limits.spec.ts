import { PatchTooLarge } from '../api-errors';
import { applyJsonPatch, DEFAULT_JSON_PATCH_LIMITS } from './json-patch';

describe('JSON Patch work limits', () => {
  const doc = { spec: { a: 'x'.repeat(1000), b: [1, 2, 3] } };

  it('stops a copy bomb once the copies pass the byte budget, before memory runs out', () => {
    const bomb = Array.from({ length: 60 }, (_, i) => ({ op: 'copy', from: '/spec', path: `/spec/c${i}` }));
    const started = Date.now();
    expect(() => applyJsonPatch(doc, bomb)).toThrow(PatchTooLarge);
    expect(() => applyJsonPatch(doc, bomb)).toThrow(/copies and compares more than 3145728 bytes \(at copy from "\/spec"\)/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('charges what test compares to the same budget', () => {
    const tests = Array.from({ length: 5_000 }, () => ({ op: 'test', path: '', value: doc }));
    expect(() => applyJsonPatch(doc, tests, { ...DEFAULT_JSON_PATCH_LIMITS, maxWorkBytes: 100_000 })).toThrow(PatchTooLarge);
  });

  it('refuses more operations than maxOperations, before applying any', () => {
    const ops = Array.from({ length: 3 }, () => ({ op: 'remove', path: '/nope' }));
    expect(() => applyJsonPatch(doc, ops, { ...DEFAULT_JSON_PATCH_LIMITS, maxOperations: 2 })).toThrow(/the patch has 3 operations; at most 2 are allowed/);
  });

  it('copies within the budget as before', () => {
    expect(applyJsonPatch(doc, [{ op: 'copy', from: '/spec/b', path: '/spec/d' }])).toEqual({ spec: { ...doc.spec, d: [1, 2, 3] } });
  });
});
