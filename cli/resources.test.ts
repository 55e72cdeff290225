import { describe, expect, it } from 'vitest';
import { findResource } from '../shared/api/resources.js';
import { kindRef, parseSelections, resourcePath } from './resources.js';

const deploy = findResource('apps', 'v1', 'deployments')!;
const pods = findResource('', 'v1', 'pods')!;

describe('parseSelections', () => {
  it('reads KIND[,KIND] NAME…', () => {
    expect(parseSelections(['po,deploy', 'a', 'b'])).toEqual([
      { info: pods, names: ['a', 'b'] },
      { info: deploy, names: ['a', 'b'] },
    ]);
  });

  it('reads KIND/NAME…, grouping by kind', () => {
    expect(parseSelections(['deploy/web', 'pod/x', 'deployments.apps/api'])).toEqual([
      { info: deploy, names: ['web', 'api'] },
      { info: pods, names: ['x'] },
    ]);
  });

  it('expands all only where allowed', () => {
    expect(parseSelections(['all'], true).map((s) => s.info.plural)).toEqual(['pods', 'services', 'deployments', 'replicasets']);
    expect(() => parseSelections(['all'])).toThrow('the server doesn\'t have a resource type "all"');
  });

  it('refuses mixing the two forms', () => {
    expect(() => parseSelections(['pods', 'deploy/web'])).toThrow(/resource\/name form/);
  });
});

describe('naming', () => {
  it('builds API paths and kubectl references', () => {
    expect(resourcePath(deploy, 'shop', 'web', 'scale')).toBe('/apis/apps/v1/namespaces/shop/deployments/web/scale');
    expect(resourcePath(findResource('', 'v1', 'nodes')!, 'shop')).toBe('/api/v1/nodes');
    expect(kindRef(deploy)).toBe('deployment.apps');
    expect(kindRef(pods)).toBe('pod');
  });
});
