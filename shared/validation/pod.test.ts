import { describe, expect, it } from 'vitest';
import { validate } from './index.js';

const pod = (spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', ...meta },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }], ...spec },
});

const fields = (obj: unknown, opts = {}) => validate('Pod', obj, opts).map((c) => `${c.field}: ${c.message}`);

describe('Pod validation', () => {
  it('accepts a realistic pod', () => {
    const good = pod({
      restartPolicy: 'Always',
      nodeSelector: { 'kubernetes.io/arch': 'arm64' },
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { operator: 'Exists' }],
      volumes: [
        { name: 'data', emptyDir: { sizeLimit: '1Gi' } },
        { name: 'cfg', configMap: { name: 'web', items: [{ key: 'a.conf', path: 'conf/a.conf' }] } },
      ],
      initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'true'] }],
      containers: [
        {
          name: 'nginx',
          image: 'nginx:1.25',
          ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
          env: [{ name: 'A', value: '1' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          envFrom: [{ configMapRef: { name: 'web' } }],
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } },
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
          livenessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
          readinessProbe: { tcpSocket: { port: 80 }, successThreshold: 2 },
        },
      ],
    });
    expect(fields(good)).toEqual([]);
  });

  it('requires containers', () => {
    expect(fields(pod({ containers: [] }))).toEqual(['spec.containers: Required value']);
    expect(fields({ metadata: { name: 'x' } })).toEqual(['spec.containers: Required value']);
    expect(validate('Pod', pod({ containers: {} }))[0]).toEqual({
      reason: 'FieldValueTypeInvalid',
      field: 'spec.containers',
      message: 'Invalid value: "object": spec.containers in body must be of type array: "object"',
    });
  });

  it('checks container names and images', () => {
    expect(
      fields(
        pod({
          initContainers: [{ name: 'web', image: 'x' }],
          containers: [{ name: 'Web', image: '' }, { name: 'web', image: ' nginx' }, { image: 'x' }],
        }),
      ),
    ).toEqual([
      "spec.containers[0].name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      'spec.containers[0].image: Required value',
      'spec.containers[1].name: Duplicate value: "web"',
      'spec.containers[1].image: Invalid value: " nginx": must not have leading or trailing whitespace',
      'spec.containers[2].name: Required value',
    ]);
  });

  it('checks ports', () => {
    expect(
      fields(pod({ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 0 }, { containerPort: 70000, protocol: 'HTTP' }, { name: 'h', hostPort: 80 }] }] })),
    ).toEqual([
      'spec.containers[0].ports[0].containerPort: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      'spec.containers[0].ports[2].containerPort: Required value',
    ]);
  });

  it('checks resources', () => {
    expect(
      fields(
        pod({
          containers: [
            {
              name: 'a',
              image: 'x',
              resources: {
                requests: { cpu: '2', memory: 'lots', gpu: '1', 'example.com/dongle': '1' },
                limits: { cpu: '1', 'example.com/dongle': '2' },
              },
            },
          ],
        }),
      ),
    ).toEqual([
      "spec.containers[0].resources.requests[memory]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
      'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
      'spec.containers[0].resources.requests: Invalid value: "1": must be equal to example.com/dongle limit of 2',
    ]);
    expect(fields(pod({ containers: [{ name: 'a', image: 'x', resources: { limits: { memory: '-1Mi' } } }] }))).toEqual([
      'spec.containers[0].resources.limits[memory]: Invalid value: "-1Mi": must be greater than or equal to 0',
    ]);
  });

  it('checks restartPolicy, volumes and mounts', () => {
    expect(
      fields(
        pod({
          restartPolicy: 'Sometimes',
          volumes: [{ name: 'data', emptyDir: {} }, { name: 'data', hostPath: { path: '/x' } }, { name: 'none' }, { name: 'two', emptyDir: {}, secret: { secretName: 's' } }],
          containers: [{ name: 'a', image: 'x', volumeMounts: [{ name: 'nope', mountPath: '/a' }, { name: 'data', mountPath: '/a' }] }],
        }),
      ),
    ).toEqual([
      'spec.volumes[1].name: Duplicate value: "data"',
      'spec.volumes[2]: Required value: must specify a volume type',
      'spec.volumes[3].secret: Forbidden: may not specify more than 1 volume type',
      'spec.containers[0].volumeMounts[0].name: Not found: "nope"',
      'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/a": must be unique',
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]);
  });

  it('checks probes minimally', () => {
    expect(
      fields(
        pod({
          containers: [
            {
              name: 'a',
              image: 'x',
              livenessProbe: { periodSeconds: -1 },
              readinessProbe: { exec: { command: ['true'] }, httpGet: { port: 80 } },
              startupProbe: { tcpSocket: { port: 'HTTP' }, successThreshold: 3 },
            },
          ],
        }),
      ),
    ).toEqual([
      'spec.containers[0].livenessProbe: Required value: must specify a handler type',
      'spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.containers[0].readinessProbe.httpGet: Forbidden: may not specify more than 1 handler type',
      'spec.containers[0].startupProbe.tcpSocket.port: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.containers[0].startupProbe.tcpSocket.port: Invalid value: "HTTP": must contain at least one letter (a-z)',
      'spec.containers[0].startupProbe.successThreshold: Invalid value: 3: must be 1',
    ]);
  });

  it('checks env and tolerations', () => {
    expect(
      fields(
        pod({
          tolerations: [{ operator: 'Equal', value: 'x' }, { key: 'a', operator: 'Exists', value: 'x' }, { key: 'a', effect: 'Sometimes' }],
          containers: [{ name: 'a', image: 'x', env: [{ name: '' }, { name: 'B', value: 'x', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }],
        }),
      ),
    ).toEqual([
      'spec.containers[0].env[0].name: Required value',
      'spec.containers[0].env[1].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
      'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
      'spec.tolerations[1].operator: Invalid value: {"key":"a","operator":"Exists","value":"x"}: value must be empty when `operator` is \'Exists\'',
      'spec.tolerations[2].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ]);
  });

  it('forbids changing a pod spec on update, except images and the first binding', () => {
    const old = pod();
    const newImage = pod({ containers: [{ name: 'nginx', image: 'nginx:1.26' }] });
    expect(fields(newImage, { update: true, old })).toEqual([]);
    expect(fields(pod({ nodeName: 'pi-1' }), { update: true, old })).toEqual([]);
    const changed = fields(pod({ containers: [{ name: 'nginx', image: 'nginx', command: ['sh'] }] }), { update: true, old });
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatch(/^spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/);
    expect(fields(pod({ nodeName: 'pi-2' }), { update: true, old: pod({ nodeName: 'pi-1' }) })).toHaveLength(1);
  });
});
