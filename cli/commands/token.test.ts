import { describe, expect, it } from 'vitest';
import { clusterCaHash } from './token.js';

describe('clusterCaHash', () => {
  it('refuses a kubeconfig without a CA', () => {
    expect(() => clusterCaHash(undefined)).toThrow(/certificate-authority-data/);
  });

  it('refuses a CA that is not a certificate', () => {
    expect(() => clusterCaHash('not a certificate')).toThrow(/cluster CA is not a valid certificate/);
  });
});
