import { describe, expect, it } from 'vitest';
import {
  fieldSelectorName,
  labelSelectorFromObject,
  labelSelectorToString,
  matchesFields,
  matchesLabels,
  matchLabelSelector,
  parseFieldSelector,
  parseLabelSelector,
  requirementsToString,
  SelectorError,
} from './selectors.js';

const web = { app: 'web', tier: 'frontend', env: 'prod', replicas: '3' };

describe('parseLabelSelector', () => {
  it.each([
    ['', []],
    ['app=web', [{ key: 'app', operator: 'Equals', values: ['web'] }]],
    ['app==web', [{ key: 'app', operator: 'Equals', values: ['web'] }]],
    ['app!=web', [{ key: 'app', operator: 'NotEquals', values: ['web'] }]],
    ['tier in (a,b)', [{ key: 'tier', operator: 'In', values: ['a', 'b'] }]],
    ['tier notin ( a , b, a )', [{ key: 'tier', operator: 'NotIn', values: ['a', 'b'] }]],
    ['app', [{ key: 'app', operator: 'Exists', values: [] }]],
    ['!app', [{ key: 'app', operator: 'DoesNotExist', values: [] }]],
    ['app=', [{ key: 'app', operator: 'Equals', values: [''] }]],
    ['n>5', [{ key: 'n', operator: 'Gt', values: ['5'] }]],
    ['example.com/role=db', [{ key: 'example.com/role', operator: 'Equals', values: ['db'] }]],
    ['x in (in,notin)', [{ key: 'x', operator: 'In', values: ['in', 'notin'] }]],
  ])('parses %j', (s, want) => expect(parseLabelSelector(s)).toEqual(want));

  it('parses several comma-separated requirements, tolerating whitespace', () => {
    const reqs = parseLabelSelector('  app = web , tier in (frontend, backend),!canary,  env ');
    expect(reqs.map((r) => r.operator)).toEqual(['Equals', 'In', 'DoesNotExist', 'Exists']);
    expect(matchesLabels(reqs, web)).toBe(true);
  });

  it.each([
    ['app=web,', "expected: identifier after ','"],
    ['a b', "found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['tier in a', "expected: '('"],
    ['tier in (a', 'expected'],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['=x', "found '=', expected: !, identifier"],
    ['Bad_Key_=x', 'invalid label key "Bad_Key_"'],
    ['a/b/c=x', 'a qualified name'],
    ['-a=x', 'name part must consist of alphanumeric'],
    ['app=bad value!', "found 'value'"],
    ['app=-x', 'invalid label value "-x"'],
    ['n>five', "the value must be an integer"],
  ])('rejects %j', (s, msg) => {
    expect(() => parseLabelSelector(s)).toThrow(SelectorError);
    expect(() => parseLabelSelector(s)).toThrow(msg);
  });
});

describe('matchesLabels', () => {
  it.each([
    ['app=web', true],
    ['app=db', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['tier in (frontend,backend)', true],
    ['tier notin (frontend)', false],
    ['missing notin (x)', true],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['replicas>2', true],
    ['replicas<2', false],
    ['app>2', false],
    ['app=web,env=prod', true],
    ['app=web,env=dev', false],
    ['', true],
    ['constructor', false],
  ])('%j on web labels is %s', (s, want) => expect(matchesLabels(parseLabelSelector(s), web)).toBe(want));

  it('treats missing labels as an empty map', () => {
    expect(matchesLabels(parseLabelSelector('!app'), undefined)).toBe(true);
    expect(matchesLabels(parseLabelSelector('app'), undefined)).toBe(false);
  });
});

describe('LabelSelector objects', () => {
  const sel = {
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In' as const, values: ['b', 'a'] },
      { key: 'canary', operator: 'DoesNotExist' as const },
      { key: 'env', operator: 'Exists' as const },
    ],
  };

  it('prints as kubectl and Scale.status.selector show it, sorted by key', () => {
    expect(labelSelectorToString(sel)).toBe('app=web,!canary,env,tier in (a,b)');
    expect(labelSelectorToString({ matchLabels: { app: 'web' } })).toBe('app=web');
    expect(labelSelectorToString({})).toBe('');
  });

  it('round-trips through the string syntax', () => {
    const text = labelSelectorToString(sel);
    expect(requirementsToString(parseLabelSelector(text))).toBe(text);
  });

  it('converts to requirements and rejects unknown operators', () => {
    expect(labelSelectorFromObject(sel)).toHaveLength(4);
    expect(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Gt' as any, values: ['1'] }] })).toThrow(
      '"Gt" is not a valid label selector operator',
    );
    expect(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).toThrow(SelectorError);
  });

  it('matches directly: {} selects everything, undefined selects nothing', () => {
    expect(matchLabelSelector({}, web)).toBe(true);
    expect(matchLabelSelector({}, undefined)).toBe(true);
    expect(matchLabelSelector(undefined, web)).toBe(false);
    expect(matchLabelSelector(sel, { ...web, tier: 'a' })).toBe(true);
    expect(matchLabelSelector(sel, { ...web, tier: 'a', canary: 'true' })).toBe(false);
    expect(matchLabelSelector(sel, web)).toBe(false);
    expect(matchLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Nope' as any }] }, { a: '1' })).toBe(false);
  });

  it('agrees with the parsed form', () => {
    const reqs = labelSelectorFromObject(sel);
    const cases: Record<string, string>[] = [web, { ...web, tier: 'a' }, { app: 'web', tier: 'b', env: '' }, {}];
    for (const labels of cases) {
      expect(matchesLabels(reqs, labels)).toBe(matchLabelSelector(sel, labels));
    }
  });
});

describe('field selectors', () => {
  const pod = {
    metadata: { name: 'web-1', namespace: 'default' },
    spec: { nodeName: 'pi-1', restartPolicy: 'Always' },
    status: { phase: 'Running' },
  };
  const pending = { metadata: { name: 'web-2', namespace: 'default' }, spec: {}, status: { phase: 'Pending' } };
  const event = {
    metadata: { name: 'web-1.17', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u-1' },
    type: 'Warning',
    reason: 'BackOff',
    source: { component: 'kubelet' },
  };

  it('parses =, == and != with escapes', () => {
    expect(parseFieldSelector('metadata.name=web,status.phase!=Failed,spec.nodeName==pi-1')).toEqual([
      { key: 'metadata.name', operator: 'Equals', value: 'web', path: ['metadata', 'name'] },
      { key: 'status.phase', operator: 'NotEquals', value: 'Failed', path: ['status', 'phase'] },
      { key: 'spec.nodeName', operator: 'Equals', value: 'pi-1', path: ['spec', 'nodeName'] },
    ]);
    expect(parseFieldSelector('metadata.name=a\\,b\\=c\\\\')[0].value).toBe('a,b=c\\');
    expect(parseFieldSelector('')).toEqual([]);
  });

  it.each(['metadata.name', 'metadata.name=a=b', '=x', 'metadata.name=a\\x', 'a=b\\'])('rejects %j', (s) =>
    expect(() => parseFieldSelector(s)).toThrow(SelectorError),
  );

  it.each([
    ['metadata.name=web-1', pod, true],
    ['metadata.name=web-2', pod, false],
    ['metadata.namespace=default,status.phase=Running', pod, true],
    ['spec.nodeName=', pod, false],
    ['spec.nodeName=', pending, true],
    ['spec.nodeName!=', pending, false],
    ['status.phase!=Succeeded,status.phase!=Failed', pod, true],
    ['involvedObject.name=web-1,involvedObject.namespace=default,involvedObject.uid=u-1', event, true],
    ['involvedObject.kind=Deployment', event, false],
    ['type=Warning,reason=BackOff', event, true],
    ['source=kubelet', event, true],
    ['spec.unschedulable=false', { spec: {} }, true],
    ['spec.unschedulable=true', { spec: { unschedulable: true } }, true],
    ['metadata.name.length=5', pod, false],
  ])('%j', (s, obj, want) => expect(matchesFields(parseFieldSelector(s), obj)).toBe(want));

  it('finds the name for single-object watches', () => {
    expect(fieldSelectorName(parseFieldSelector('metadata.name=web,metadata.namespace=x'))).toBe('web');
    expect(fieldSelectorName(parseFieldSelector('metadata.name!=web'))).toBeUndefined();
    expect(fieldSelectorName([])).toBeUndefined();
  });
});

describe('performance', () => {
  it('matches 50,000 pods against a parsed selector quickly', () => {
    const pods = Array.from({ length: 50_000 }, (_, i) => ({
      metadata: { name: `p-${i}`, labels: { app: `app-${i % 100}`, tier: i % 2 ? 'web' : 'db' } },
      spec: { nodeName: i % 3 ? `node-${i % 5000}` : undefined },
    }));
    const labels = parseLabelSelector('app=app-7,tier in (web,cache)');
    const fields = parseFieldSelector('spec.nodeName!=');
    const started = performance.now();
    let n = 0;
    for (const p of pods) if (matchesLabels(labels, p.metadata.labels) && matchesFields(fields, p)) n++;
    expect(n).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(250);
  });
});
