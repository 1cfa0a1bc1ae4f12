import { BadRequest } from './api-errors';
import { fieldsMatch, labelsMatch, parseFieldSelector, parseLabelSelector } from './selectors';

const object = (labels: Record<string, string>, extra: Record<string, unknown> = {}) => ({ metadata: { name: 'web', labels }, ...extra });

describe('label selectors', () => {
  it.each([
    ['app=web', { app: 'web' }, true],
    ['app==web', { app: 'web' }, true],
    ['app=web', { app: 'api' }, false],
    ['app!=web', { app: 'api' }, true],
    ['app!=web', {}, true],
    ['app in (web, api)', { app: 'api' }, true],
    ['app notin (web,api)', { app: 'api' }, false],
    ['app', { app: '' }, true],
    ['!app', { app: 'x' }, false],
    ['app=web,tier in (front),!debug', { app: 'web', tier: 'front' }, true],
    ['app=web,tier in (front),!debug', { app: 'web', tier: 'front', debug: '1' }, false],
    ['example.com/role=db', { 'example.com/role': 'db' }, true],
  ])('%s on %j is %s', (text, labels, expected) => {
    expect(labelsMatch(parseLabelSelector(text), object(labels))).toBe(expected);
  });

  it('hands the equality terms to SQL', () => {
    expect(parseLabelSelector('app=web,tier!=db,x in (1)')?.equalities).toEqual({ app: 'web' });
  });

  it.each(['app in (a', 'Bad Key=1', 'app=no spaces', 'a=b,', '(x)', 'app in (a,b'])('refuses %s', (text) => {
    expect(() => parseLabelSelector(text)).toThrow(BadRequest);
  });
});

describe('field selectors', () => {
  const pod = object({}, { spec: { nodeName: 'n1' }, status: { phase: 'Running' } });
  it('matches, negates and refuses unsupported fields', () => {
    const supported = ['metadata.name', 'spec.nodeName', 'status.phase'];
    expect(fieldsMatch(parseFieldSelector('spec.nodeName=n1,status.phase==Running', supported), pod)).toBe(true);
    expect(fieldsMatch(parseFieldSelector('status.phase!=Running', supported), pod)).toBe(false);
    expect(fieldsMatch(parseFieldSelector('spec.nodeName=', supported), object({}))).toBe(true);
    expect(() => parseFieldSelector('spec.replicas=1', supported)).toThrow('field label not supported: spec.replicas');
    expect(() => parseFieldSelector('nonsense', supported)).toThrow(BadRequest);
  });
});
