import fc from 'fast-check';
import { parseCount, parseDuration, parseResourceArgs, parseSingleObject, parseTypeName } from './resource-args';
import { DEPLOYMENTS, PODS } from './resource-kinds';

const summary = (args: string[]) => parseResourceArgs(args).map((r) => [r.kind.resource, r.names]);

describe('parseResourceArgs', () => {
  it('takes TYPE NAME...', () => {
    expect(summary(['deploy', 'web', 'api'])).toEqual([['deployments', ['web', 'api']]]);
    expect(summary(['po'])).toEqual([['pods', []]]);
  });
  it('takes TYPE/NAME... and groups them by kind', () => {
    expect(summary(['deploy/web', 'svc/web', 'deployment/api'])).toEqual([
      ['deployments', ['web', 'api']],
      ['services', ['web']],
    ]);
  });
  it('takes comma lists of kinds and expands all', () => {
    expect(summary(['deploy,svc'])).toEqual([
      ['deployments', []],
      ['services', []],
    ]);
    expect(summary(['all']).map(([r]) => r)).toEqual(['pods', 'services', 'deployments', 'horizontalpodautoscalers']);
  });
  it('refuses mixed forms, names with several kinds, unknown kinds and nothing', () => {
    expect(() => parseResourceArgs(['deploy', 'svc/web'])).toThrow('resource/name form');
    expect(() => parseResourceArgs(['deploy,svc', 'web'])).toThrow('several resource types');
    expect(() => parseResourceArgs(['widgets'])).toThrow('resource type "widgets"');
    expect(() => parseResourceArgs([])).toThrow('specify the type');
    expect(() => parseResourceArgs(['deploy/'])).toThrow('single resource and name');
  });
});

describe('parseTypeName and parseSingleObject', () => {
  it('reads deployment/web, and a bare name only with a default kind', () => {
    expect(parseTypeName('deployment/web')).toEqual({ kind: DEPLOYMENTS, name: 'web' });
    expect(parseTypeName('web-1', PODS)).toEqual({ kind: PODS, name: 'web-1' });
    expect(() => parseTypeName('web')).toThrow('resource/name form');
  });
  it('accepts TYPE NAME and TYPE/NAME and checks the kind', () => {
    expect(parseSingleObject(['deploy', 'web'], [DEPLOYMENTS]).name).toBe('web');
    expect(parseSingleObject(['deploy/web'], [DEPLOYMENTS]).name).toBe('web');
    expect(parseSingleObject(['web'], [DEPLOYMENTS], DEPLOYMENTS).name).toBe('web');
    expect(() => parseSingleObject(['svc/web'], [DEPLOYMENTS])).toThrow('services are not supported here');
    expect(() => parseSingleObject(['a', 'b', 'c'])).toThrow('expected one resource');
  });
});

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
  ])('%s -> %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it.each(['', '5', 'm', '5 m', '5d', '-5s', '5m3'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow('invalid duration');
  });
  it('reads back any sum of hours, minutes and seconds', () => {
    fc.assert(
      fc.property(fc.nat(100), fc.nat(59), fc.nat(59), (h, m, s) => {
        expect(parseDuration(`${h}h${m}m${s}s`)).toBe(((h * 60 + m) * 60 + s) * 1000);
      }),
    );
  });
});

describe('parseCount', () => {
  it('takes non-negative integers only', () => {
    expect(parseCount('3', '--replicas')).toBe(3);
    expect(() => parseCount('-1', '--replicas')).toThrow('--replicas must be a non-negative integer');
    expect(() => parseCount('2.5', '--replicas')).toThrow();
  });
});
