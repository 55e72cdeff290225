import { describe, expect, it } from 'vitest';
import { formatLabelSelector, formatLabels, humanDuration, rfc3339, selectorString, since } from './format.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

describe('humanDuration (k8s duration.HumanDuration)', () => {
  it.each([
    [-3 * S, '<invalid>'],
    [-2 * S, '<invalid>'],
    [-1999, '0s'],
    [-1 * S, '0s'],
    [0, '0s'],
    [999, '0s'],
    [45 * S, '45s'],
    [119 * S, '119s'],
    [2 * M, '2m'],
    [3 * M + 12 * S, '3m12s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [5 * H + 3 * M, '5h3m'],
    [7 * H + 59 * M, '7h59m'],
    [8 * H + 30 * M, '8h'],
    [47 * H, '47h'],
    [2 * D, '2d'],
    [3 * D + 4 * H, '3d4h'],
    [7 * D + 23 * H, '7d23h'],
    [8 * D + 5 * H, '8d'],
    [729 * D, '729d'],
    [2 * Y, '2y'],
    [2 * Y + 10 * D, '2y10d'],
    [7 * Y + 364 * D, '7y364d'],
    [8 * Y, '8y'],
    [20 * Y + 100 * D, '20y'],
  ])('%d ms → %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});

describe('timestamps', () => {
  const now = Date.parse('2025-01-01T12:00:00Z');
  it.each([
    [undefined, '<unknown>'],
    [null, '<unknown>'],
    ['', '<unknown>'],
    ['not a date', '<unknown>'],
    ['2025-01-01T11:59:15Z', '45s'],
    ['2024-12-31T12:00:00Z', '24h'],
  ])('since(%j) → %s', (ts, want) => {
    expect(since(ts, now)).toBe(want);
  });

  it.each([
    ['2025-03-04T05:06:07.890Z', '2025-03-04T05:06:07Z'],
    ['2025-03-04T07:06:07+02:00', '2025-03-04T05:06:07Z'],
    [undefined, '0001-01-01T00:00:00Z'],
  ])('rfc3339(%j) → %s', (ts, want) => {
    expect(rfc3339(ts)).toBe(want);
  });
});

describe('labels and selectors', () => {
  it.each([
    [undefined, '<none>'],
    [{}, '<none>'],
    [{ tier: 'web', app: 'shop' }, 'app=shop,tier=web'],
  ])('formatLabels(%j) → %s', (labels, want) => {
    expect(formatLabels(labels)).toBe(want);
  });

  it.each([
    [undefined, '', '<none>'],
    [{}, '', '<none>'],
    [{ matchLabels: { app: 'web' } }, 'app=web', 'app=web'],
    [
      {
        matchLabels: { tier: 'fe' },
        matchExpressions: [
          { key: 'env', operator: 'In' as const, values: ['prod', 'dev'] },
          { key: 'zone', operator: 'NotIn' as const, values: ['b'] },
          { key: 'gpu', operator: 'Exists' as const },
          { key: 'arm', operator: 'DoesNotExist' as const },
        ],
      },
      '!arm,env in (dev,prod),gpu,tier=fe,zone notin (b)',
      '!arm,env in (dev,prod),gpu,tier=fe,zone notin (b)',
    ],
  ])('selector %j → %j / %j', (sel, plain, formatted) => {
    expect(selectorString(sel)).toBe(plain);
    expect(formatLabelSelector(sel)).toBe(formatted);
  });
});
