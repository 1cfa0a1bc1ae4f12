import fc from 'fast-check';
import { defaultPullPolicy, parseImageReference } from './image-reference';
import { InvalidImageName } from './runtime.errors';

describe('parseImageReference', () => {
  it.each([
    ['nginx', 'nginx:latest'],
    ['nginx:1.25', 'nginx:1.25'],
    ['berth/http:test', 'berth/http:test'],
    ['localhost:5000/team/app:v1.2.3-rc_1', 'localhost:5000/team/app:v1.2.3-rc_1'],
    ['registry.example.com/a/b/c', 'registry.example.com/a/b/c:latest'],
    [`alpine@sha256:${'a'.repeat(64)}`, `alpine@sha256:${'a'.repeat(64)}`],
    [`alpine:3.19@sha256:${'b'.repeat(64)}`, `alpine:3.19@sha256:${'b'.repeat(64)}`],
    ['[::1]:5000/app:1', '[::1]:5000/app:1'],
  ])('accepts %s as %s', (image, normalized) => {
    expect(parseImageReference(image).normalized).toBe(normalized);
  });

  it.each(['', 'Nginx', 'nginx:', 'nginx::1', 'nginx:la test', 'a//b', '-nginx', 'nginx@sha256:short', 'repo/UPPER:1', `x:${'t'.repeat(129)}`])(
    'rejects %p with InvalidImageName',
    (image) => {
      expect(() => parseImageReference(image)).toThrow(InvalidImageName);
    },
  );

  it('words the error like kubelet does', () => {
    expect(() => parseImageReference('Bad Image')).toThrow(
      'Failed to apply default image tag "Bad Image": couldn\'t parse image reference "Bad Image": invalid reference format',
    );
  });

  it('normalizing is idempotent for any valid reference', () => {
    const component = fc.stringMatching(/^[a-z0-9]+(?:[._-][a-z0-9]+)?$/);
    const reference = fc
      .record({
        domain: fc.option(fc.constantFrom('localhost:5000', 'registry.example.com', 'r.io')),
        path: fc.array(component, { minLength: 1, maxLength: 3 }),
        tag: fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/)),
      })
      .map(({ domain, path, tag }) => `${domain ? `${domain}/` : ''}${path.join('/')}${tag ? `:${tag}` : ''}`);
    fc.assert(
      fc.property(reference, (image) => {
        const once = parseImageReference(image).normalized;
        expect(parseImageReference(once).normalized).toBe(once);
        expect(once.startsWith(image)).toBe(true);
      }),
    );
  });
});

describe('defaultPullPolicy', () => {
  it('is Always for latest or no tag and IfNotPresent otherwise', () => {
    expect(defaultPullPolicy('nginx')).toBe('Always');
    expect(defaultPullPolicy('nginx:latest')).toBe('Always');
    expect(defaultPullPolicy('nginx:1.25')).toBe('IfNotPresent');
    expect(defaultPullPolicy(`nginx@sha256:${'c'.repeat(64)}`)).toBe('IfNotPresent');
  });
});
