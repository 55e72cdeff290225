import { describe, expect, it } from 'vitest';
import { connectionFrom, kubeconfigPath } from './kubeconfig.js';

const doc = {
  'current-context': 'bramble',
  clusters: [{ name: 'bramble', cluster: { server: 'https://10.0.0.1:6443/', 'certificate-authority-data': Buffer.from('PEM').toString('base64') } }],
  users: [{ name: 'admin', user: { token: 'tok' } }],
  contexts: [
    { name: 'bramble', context: { cluster: 'bramble', user: 'admin' } },
    { name: 'shop', context: { cluster: 'bramble', user: 'admin', namespace: 'shop' } },
  ],
};

describe('connectionFrom', () => {
  it('follows the current context to its cluster and user', () => {
    expect(connectionFrom(doc, 'k.yaml')).toMatchObject({ server: 'https://10.0.0.1:6443', caPem: 'PEM', token: 'tok', namespace: undefined });
  });

  it('takes another context and its namespace', () => {
    expect(connectionFrom(doc, 'k.yaml', 'shop').namespace).toBe('shop');
  });

  it('names what is missing', () => {
    expect(() => connectionFrom({ ...doc, 'current-context': 'nope' }, 'k.yaml')).toThrow('kubeconfig k.yaml: context "nope" not found');
  });
});

describe('kubeconfigPath', () => {
  it('prefers the flag, then KUBECONFIG', () => {
    expect(kubeconfigPath('a.yaml', { KUBECONFIG: 'b.yaml' })).toBe('a.yaml');
    expect(kubeconfigPath(undefined, { KUBECONFIG: '/nonexistent/b.yaml:/nonexistent/c.yaml' })).toBe('/nonexistent/b.yaml');
  });
});
