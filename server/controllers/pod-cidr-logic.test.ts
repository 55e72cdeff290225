import { describe, expect, it } from 'vitest';
import { CidrSet, nodePodCidr } from './pod-cidr-logic.js';

describe('CidrSet', () => {
  it('hands out /24s in order and never twice', () => {
    const set = new CidrSet('10.42.0.0/16');
    expect(set.size).toBe(256);
    expect([set.allocate(), set.allocate(), set.allocate()]).toEqual(['10.42.0.0/24', '10.42.1.0/24', '10.42.2.0/24']);
    const all = new Set(Array.from({ length: 253 }, () => set.allocate()));
    expect(all.size).toBe(253);
    expect(set.allocate()).toBeUndefined();
  });

  it('skips ranges nodes already hold and reuses freed ones after the rest', () => {
    const set = new CidrSet('10.42.0.0/16');
    expect(set.occupy('10.42.0.0/24')).toBe(true);
    expect(set.occupy('10.42.0.0/24')).toBe(false);
    expect(set.allocate()).toBe('10.42.1.0/24');
    set.release('10.42.0.0/24');
    expect(set.allocate()).toBe('10.42.2.0/24');
  });

  it.each([
    ['outside the cluster range', '10.99.0.0/24'],
    ['another mask size', '10.42.0.0/25'],
    ['not aligned', '10.42.0.128/24'],
    ['garbage', 'nope'],
  ])('refuses a range %s', (_, cidr) => expect(new CidrSet('10.42.0.0/16').occupy(cidr)).toBe(false));

  it('a cluster range smaller than a /24 is one node range', () => {
    const set = new CidrSet('192.168.5.0/26');
    expect([set.allocate(), set.allocate()]).toEqual(['192.168.5.0/26', undefined]);
  });

  it('wraps around to a freed range when the end is reached', () => {
    const set = new CidrSet('10.0.0.0/23');
    expect([set.allocate(), set.allocate()]).toEqual(['10.0.0.0/24', '10.0.1.0/24']);
    set.release('10.0.0.0/24');
    expect(set.allocate()).toBe('10.0.0.0/24');
  });
});

describe('nodePodCidr', () => {
  it.each([
    [undefined, undefined],
    [{}, undefined],
    [{ podCIDR: '10.42.3.0/24' }, '10.42.3.0/24'],
    [{ podCIDRs: ['10.42.4.0/24'] }, '10.42.4.0/24'],
  ])('%j', (spec, want) => expect(nodePodCidr(spec)).toBe(want));
});
