import fc from 'fast-check';
import { applyJsonPatch, jsonEqual, MalformedPatch, PatchNotApplicable } from './json-patch';
import { applyMergePatch } from './merge-patch';

describe('JSON Patch (RFC 6902 appendix A)', () => {
  const cases: [string, unknown, unknown[], unknown][] = [
    ['A.1 add an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { baz: 'qux', foo: 'bar' }],
    ['A.2 add an array element', { foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }],
    ['A.3 remove an object member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
    ['A.4 remove an array element', { foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }], { foo: ['bar', 'baz'] }],
    ['A.5 replace a value', { baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }], { baz: 'boo', foo: 'bar' }],
    [
      'A.6 move a value',
      { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
      [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
      { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
    ],
    ['A.7 move an array element', { foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }], { foo: ['all', 'cows', 'eat', 'grass'] }],
    ['A.8 test, success', { baz: 'qux', foo: ['a', 2, 'c'] }, [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }], { baz: 'qux', foo: ['a', 2, 'c'] }],
    ['A.10 add a nested member object', { foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }], { foo: 'bar', child: { grandchild: {} } }],
    ['A.11 ignore unrecognized members', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }], { foo: 'bar', baz: 'qux' }],
    ['A.14 ~ escaping', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }], { '/': 9, '~1': 10 }],
    ['A.16 add an array value', { foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], { foo: ['bar', ['abc', 'def']] }],
    ['copy', { a: { b: 1 } }, [{ op: 'copy', from: '/a', path: '/c' }], { a: { b: 1 }, c: { b: 1 } }],
    ['replace the whole document', { a: 1 }, [{ op: 'replace', path: '', value: [1] }], [1]],
    ['test compares objects regardless of key order', { a: { x: 1, y: 2 } }, [{ op: 'test', path: '/a', value: { y: 2, x: 1 } }], { a: { x: 1, y: 2 } }],
  ];

  it.each(cases)('%s', (_name, document, patch, expected) => {
    const before = structuredClone(document);
    expect(applyJsonPatch(document, patch)).toEqual(expected);
    expect(document).toEqual(before);
  });

  const failures: [string, unknown, unknown[], typeof MalformedPatch | typeof PatchNotApplicable][] = [
    ['A.9 test, failure', { baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }], PatchNotApplicable],
    ['A.12 add to a nonexistent target', { foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }], PatchNotApplicable],
    ['A.15 comparing strings and numbers', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }], PatchNotApplicable],
    ['remove a missing member', { a: 1 }, [{ op: 'remove', path: '/b' }], PatchNotApplicable],
    ['an index out of bounds', { a: [1] }, [{ op: 'add', path: '/a/5', value: 2 }], PatchNotApplicable],
    ['a leading zero index', { a: [1, 2] }, [{ op: 'replace', path: '/a/01', value: 2 }], PatchNotApplicable],
    ['move into its own child', { a: { b: {} } }, [{ op: 'move', from: '/a', path: '/a/b/c' }], PatchNotApplicable],
    ['an unknown op', {}, [{ op: 'merge', path: '/a' }], MalformedPatch],
    ['a path without a slash', {}, [{ op: 'add', path: 'a', value: 1 }], MalformedPatch],
    ['a bad escape', {}, [{ op: 'add', path: '/a~2', value: 1 }], MalformedPatch],
    ['add without value', {}, [{ op: 'add', path: '/a' }], MalformedPatch],
    ['copy without from', {}, [{ op: 'copy', path: '/a' }], MalformedPatch],
    ['an operation that is not an object', {}, ['add'], MalformedPatch],
  ];

  it.each(failures)('%s fails', (_name, document, patch, error) => {
    expect(() => applyJsonPatch(document, patch)).toThrow(error);
  });

  it('is all or nothing: a failing operation leaves the input untouched', () => {
    const document = { a: 1 };
    expect(() => applyJsonPatch(document, [{ op: 'add', path: '/b', value: 2 }, { op: 'test', path: '/a', value: 5 }])).toThrow(PatchNotApplicable);
    expect(document).toEqual({ a: 1 });
  });

  it('treats __proto__ as a plain key', () => {
    const result = applyJsonPatch({}, [{ op: 'add', path: '/__proto__', value: { polluted: true } }]) as Record<string, unknown>;
    expect(Object.prototype.hasOwnProperty.call(result, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect((result as { polluted?: unknown }).polluted).toBeUndefined();
  });

  const key = fc.string({ minLength: 1, maxLength: 6 }).filter((k) => k !== '__proto__');
  const document = fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
  const pointer = (k: string) => `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;

  it('property: add then remove of a new member gives back the document', () => {
    fc.assert(
      fc.property(document, key, fc.jsonValue({ maxDepth: 2 }), (doc, k, value) => {
        fc.pre(!Object.prototype.hasOwnProperty.call(doc, k));
        const added = applyJsonPatch(doc, [{ op: 'add', path: pointer(k), value }]);
        expect(jsonEqual((added as Record<string, unknown>)[k], value)).toBe(true);
        expect(jsonEqual(applyJsonPatch(added, [{ op: 'remove', path: pointer(k) }]), doc)).toBe(true);
      }),
    );
  });

  it('property: copy makes a test of the copy pass; move there and back is the identity', () => {
    fc.assert(
      fc.property(document, key, (doc, target) => {
        const keys = Object.keys(doc);
        fc.pre(keys.length > 0 && !Object.prototype.hasOwnProperty.call(doc, target));
        const from = pointer(keys[0]);
        const copied = applyJsonPatch(doc, [{ op: 'copy', from, path: pointer(target) }]);
        expect(() => applyJsonPatch(copied, [{ op: 'test', path: pointer(target), value: doc[keys[0]] }])).not.toThrow();
        const there = applyJsonPatch(doc, [{ op: 'move', from, path: pointer(target) }]);
        expect(jsonEqual(applyJsonPatch(there, [{ op: 'move', from: pointer(target), path: from }]), doc)).toBe(true);
      }),
    );
  });
});

describe('JSON Merge Patch (RFC 7386 appendix A)', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];

  it.each(cases)('%j + %j = %j', (target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });

  it('property: patching with the document itself (no nulls) yields the document', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 4 }).filter((k) => k !== '__proto__'), fc.jsonValue({ maxDepth: 3 }).filter((v) => v !== null)), (doc) => {
        const clean = JSON.parse(JSON.stringify(doc, (_k, v: unknown) => (v === null ? undefined : v)));
        expect(applyMergePatch({}, clean)).toEqual(clean);
      }),
    );
  });
});
