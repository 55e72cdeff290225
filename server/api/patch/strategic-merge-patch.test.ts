import { describe, expect, it } from 'vitest';
import { PatchError } from './errors.js';
import { listStrategyFor, mergeKeyFor, strategicMergePatch } from './strategic-merge-patch.js';

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'default',
    labels: { app: 'web', team: 'a' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    finalizers: ['a.example.com/x', 'b.example.com/y'],
  },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'nginx',
            image: 'nginx:1.25',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          },
          { name: 'sidecar', image: 'busybox', args: ['sleep', '3600'] },
        ],
        volumes: [{ name: 'data', emptyDir: {} }],
        tolerations: [{ key: 'a', operator: 'Exists' }],
      },
    },
  },
});

const containers = (d: any) => d.spec.template.spec.containers;

describe('strategicMergePatch', () => {
  it('changes an image the way kubectl apply sends it ($setElementOrder/containers)', () => {
    const patch = {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"new":1}' } },
      spec: {
        replicas: 3,
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }],
            containers: [{ image: 'nginx:1.26', name: 'nginx' }],
          },
        },
      },
    };
    const out = strategicMergePatch(deployment(), patch);
    expect(out.spec.replicas).toBe(3);
    expect(containers(out).map((c: any) => [c.name, c.image])).toEqual([
      ['nginx', 'nginx:1.26'],
      ['sidecar', 'busybox'],
    ]);
    // the rest of the container is merged, not replaced
    expect(containers(out)[0].ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
    expect(out.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toBe('{"new":1}');
    expect(JSON.stringify(out)).not.toContain('$setElementOrder');
  });

  it('deletes a sidecar with a $patch: delete list item', () => {
    const out = strategicMergePatch(deployment(), {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }],
            containers: [{ $patch: 'delete', name: 'sidecar' }],
          },
        },
      },
    });
    expect(containers(out).map((c: any) => c.name)).toEqual(['nginx']);
    expect(JSON.stringify(out)).not.toContain('$patch');
  });

  it('deletes fields set to null (ports: null, labels: null)', () => {
    const out = strategicMergePatch(deployment(), {
      metadata: { labels: null },
      spec: { template: { spec: { containers: [{ name: 'nginx', ports: null }] } } },
    });
    expect(out.metadata.labels).toBeUndefined();
    expect(containers(out)[0]).not.toHaveProperty('ports');
    expect(containers(out)[0].image).toBe('nginx:1.25');
  });

  it('applies kubectl rollout restart', () => {
    const at = '2025-01-01T00:00:00Z';
    const out = strategicMergePatch(deployment(), {
      spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } },
    });
    expect(out.spec.template.metadata).toEqual({ labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/restartedAt': at } });
  });

  it('merges env by name, volumeMounts by mountPath, volumes by name', () => {
    const out = strategicMergePatch(deployment(), {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'nginx',
                env: [{ name: 'B', value: 'two' }, { name: 'C', value: '3' }, { name: 'A', $patch: 'delete' }],
                volumeMounts: [{ mountPath: '/data', readOnly: true }],
              },
            ],
            volumes: [{ name: 'cache', emptyDir: { medium: 'Memory' } }],
          },
        },
      },
    });
    const c = containers(out)[0];
    expect(c.env).toEqual([
      { name: 'B', value: 'two' },
      { name: 'C', value: '3' },
    ]);
    expect(c.volumeMounts).toEqual([{ name: 'data', mountPath: '/data', readOnly: true }]);
    expect(out.spec.template.spec.volumes.map((v: any) => v.name)).toEqual(['cache', 'data']);
  });

  it('puts new list items first without $setElementOrder, as the apiserver does', () => {
    const out = strategicMergePatch(deployment(), {
      spec: { template: { spec: { containers: [{ name: 'log', image: 'fluent-bit' }] } } },
    });
    expect(containers(out).map((c: any) => c.name)).toEqual(['log', 'nginx', 'sidecar']);
  });

  it('orders by $setElementOrder and slots server-only items by their live position', () => {
    const out = strategicMergePatch(deployment(), {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'log' }, { name: 'nginx' }],
            containers: [{ name: 'log', image: 'fluent-bit' }],
          },
        },
      },
    });
    expect(containers(out).map((c: any) => c.name)).toEqual(['log', 'nginx', 'sidecar']);

    const reordered = strategicMergePatch(deployment(), {
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'nginx' }] } } },
    });
    expect(containers(reordered).map((c: any) => c.name)).toEqual(['sidecar', 'nginx']);
  });

  it('rejects a patch list that does not match $setElementOrder', () => {
    expect(() =>
      strategicMergePatch(deployment(), {
        spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ name: 'other', image: 'x' }] } } },
      }),
    ).toThrow(PatchError);
  });

  it('replaces lists without a merge key (tolerations, args)', () => {
    const out = strategicMergePatch(deployment(), {
      spec: {
        template: {
          spec: {
            tolerations: [{ key: 'b', operator: 'Exists' }],
            containers: [{ name: 'sidecar', args: ['sleep', '1'] }],
          },
        },
      },
    });
    expect(out.spec.template.spec.tolerations).toEqual([{ key: 'b', operator: 'Exists' }]);
    expect(containers(out)[1].args).toEqual(['sleep', '1']);
  });

  it('replaces a map or list wholesale with $patch: replace', () => {
    const out = strategicMergePatch(deployment(), {
      metadata: { labels: { $patch: 'replace', only: 'this' } },
      spec: { template: { spec: { containers: [{ name: 'solo', image: 'x' }, { $patch: 'replace' }] } } },
    });
    expect(out.metadata.labels).toEqual({ only: 'this' });
    expect(containers(out)).toEqual([{ name: 'solo', image: 'x' }]);
  });

  it('deletes a map with {"$patch": "delete"}', () => {
    const out = strategicMergePatch(deployment(), { spec: { strategy: { $patch: 'delete' } } });
    expect(out.spec).not.toHaveProperty('strategy');
    expect(strategicMergePatch({ a: 1 }, { $patch: 'delete' })).toEqual({});
  });

  it('clears unlisted keys with $retainKeys (switching strategy to Recreate)', () => {
    const out = strategicMergePatch(deployment(), {
      spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } },
    });
    expect(out.spec.strategy).toEqual({ type: 'Recreate' });
    expect(() => strategicMergePatch(deployment(), { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } })).toThrow(
      /retainKeys/,
    );
  });

  it('merges finalizers as a set and removes with $deleteFromPrimitiveList', () => {
    const out = strategicMergePatch(deployment(), {
      metadata: {
        '$setElementOrder/finalizers': ['a.example.com/x', 'c.example.com/z'],
        finalizers: ['c.example.com/z'],
        '$deleteFromPrimitiveList/finalizers': ['b.example.com/y'],
      },
    });
    expect(out.metadata.finalizers).toEqual(['a.example.com/x', 'c.example.com/z']);
    expect(JSON.stringify(out)).not.toMatch(/\$/);
  });

  it('merges Service ports by port, conditions by type and ownerReferences by uid', () => {
    const svc = {
      spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443, targetPort: 8443 }] },
      metadata: { ownerReferences: [{ uid: 'u1', name: 'a', kind: 'X', apiVersion: 'v1' }] },
      status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'Synced', status: 'True' }] },
    };
    const out = strategicMergePatch(svc, {
      spec: { ports: [{ port: 80, targetPort: 9090 }] },
      metadata: { ownerReferences: [{ uid: 'u1', name: 'b' }] },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
    expect(out.spec.ports).toEqual([{ port: 80, targetPort: 9090 }, { port: 443, targetPort: 8443 }]);
    expect(out.metadata.ownerReferences[0].name).toBe('b');
    expect(out.status.conditions).toEqual([{ type: 'Ready', status: 'True' }, { type: 'Synced', status: 'True' }]);
  });

  it('adds values that were absent, with directives resolved and nulls dropped', () => {
    const out = strategicMergePatch({ spec: {} }, {
      spec: { template: { spec: { containers: [{ name: 'a', image: 'x', env: null, '$setElementOrder/env': [] }] } } },
    });
    expect(out).toEqual({ spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }] } } } });
  });

  it('does not modify its inputs', () => {
    const original = deployment();
    const patch = { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'new' }] } } } };
    const before = JSON.stringify([original, patch]);
    const out = strategicMergePatch(original, patch);
    expect(JSON.stringify([original, patch])).toBe(before);
    out.spec.template.spec.containers[1].image = 'mutated';
    expect(containers(original)[1].image).toBe('busybox');
  });

  it.each([
    [[], 'must be a JSON object'],
    [{ spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, 'does not contain declared merge key: name'],
    [{ spec: { template: { spec: { containers: [{ $patch: 'delete' }] } } } }, 'does not contain declared merge key'],
    [{ spec: { template: { spec: { containers: [{ $patch: 'merge', name: 'x' }] } } } }, 'merging lists cannot yet be specified'],
    [{ spec: { $patch: 'explode' } }, 'unknown patch type'],
    [{ spec: { '$setElementOrder/ports': 'x' } }, 'must be a list'],
  ])('rejects %j', (patch, msg) => {
    expect(() => strategicMergePatch(deployment(), patch)).toThrow(msg);
    try {
      strategicMergePatch(deployment(), patch);
    } catch (e) {
      expect((e as PatchError).code).toBe(400);
    }
  });

  it('never lets a patch reach Object.prototype', () => {
    const out = strategicMergePatch({}, JSON.parse('{"__proto__":{"polluted":true},"a":{"__proto__":{"x":1}}}'));
    expect(({} as any).polluted).toBeUndefined();
    expect(out.a).toEqual({});
  });
});

describe('merge keys', () => {
  it.each([
    [['spec', 'containers'], 'name'],
    [['spec', 'template', 'spec', 'initContainers'], 'name'],
    [['spec', 'template', 'spec', 'containers', 'ports'], 'containerPort'],
    [['spec', 'template', 'spec', 'containers', 'env'], 'name'],
    [['spec', 'containers', 'volumeMounts'], 'mountPath'],
    [['spec', 'volumes'], 'name'],
    [['spec', 'ports'], 'port'],
    [['spec', 'template', 'spec', 'imagePullSecrets'], 'name'],
    [['spec', 'hostAliases'], 'ip'],
    [['spec', 'topologySpreadConstraints'], 'topologyKey'],
    [['status', 'conditions'], 'type'],
    [['metadata', 'ownerReferences'], 'uid'],
    [['spec', 'tolerations'], undefined],
    [['spec', 'containers', 'envFrom'], undefined],
    [['spec', 'template', 'spec', 'ports'], undefined],
    [['spec', 'taints'], undefined],
  ])('%j merges on %s', (path, key) => expect(mergeKeyFor(path)).toBe(key));

  it('treats finalizers as a set', () => expect(listStrategyFor(['metadata', 'finalizers'])).toEqual({ type: 'set' }));
});

describe('robustness', () => {
  // A body can be any JSON; bad ones must fail as PatchError (a 4xx), never as a crash.
  it('throws nothing but PatchError on random patches', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const keys = ['spec', 'template', 'containers', 'name', 'ports', 'env', '$patch', '$retainKeys', '$setElementOrder/containers', '$deleteFromPrimitiveList/finalizers', 'finalizers', 'metadata', 'image', 'port', 'constructor'];
    const junk = (depth: number): unknown => {
      const r = rand();
      if (depth > 3 || r < 0.3) return [null, 1, 'x', 'delete', 'replace', true][Math.floor(rand() * 6)];
      if (r < 0.6) return Array.from({ length: Math.floor(rand() * 3) }, () => junk(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = 0; i < 3; i++) o[keys[Math.floor(rand() * keys.length)]] = junk(depth + 1);
      return o;
    };
    for (let i = 0; i < 3000; i++) {
      const original = junk(0);
      const patch = junk(0);
      try {
        strategicMergePatch(original, patch);
      } catch (e) {
        expect(e, JSON.stringify({ original, patch })).toBeInstanceOf(PatchError);
      }
    }
  });
});
