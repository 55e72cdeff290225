import { describe, expect, it } from 'vitest';
import { bytes, isQuantity, milliCPU, parseQuantity } from './quantity.js';

describe('quantity', () => {
  it.each([
    ['250m', 0.25],
    ['1.5', 1.5],
    ['64Mi', 64 * 2 ** 20],
    ['1G', 1e9],
    ['1e3', 1000],
    [2, 2],
  ])('parses %s', (q, v) => expect(parseQuantity(q)).toBeCloseTo(v));

  it.each(['', 'abc', '1.2.3', '12Q', '--1', 'Mi'])('rejects %j', (q) => expect(isQuantity(q)).toBe(false));

  it('counts cpu in millicores and memory in bytes', () => {
    expect(milliCPU('250m')).toBe(250);
    expect(milliCPU('1.5')).toBe(1500);
    expect(milliCPU(undefined)).toBe(0);
    expect(bytes('128Mi')).toBe(134217728);
  });
});
