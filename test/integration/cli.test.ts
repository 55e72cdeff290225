// cli: the kubectl-like verbs of `bramble`, run as users run them (`node dist/cli/main.js …` in a
// child process) against a real server started in this process, with a fake kubelet so pods
// become Running and rollouts finish. Checks output wording, exit codes and what reached the API.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { SERVER_OPTIONS, serverConfig } from '../../server/config.js';
import { type RunningServer, startServer } from '../../server/server.js';
import { resolveOptions } from '../../shared/options.js';
import { type Api, apiFromKubeconfig } from '../lib/api.js';
import { type FakeKubelet, startFakeKubelet } from '../lib/fake-kubelet.js';
import { CLI, freePort } from '../lib/server-process.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const deployment = (image: string, replicas = 2) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports:
        - containerPort: 80
`;

const manifest = (image: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
${deployment(image)}---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 80
`;

describe('bramble CLI verbs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bramble-cli-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  let server: RunningServer;
  let api: Api;
  let kubelet: FakeKubelet;

  // bramble runs the built CLI asynchronously: the server lives in this process, so a
  // synchronous child would block the very event loop that has to answer it.
  const bramble = (args: string[], opts: { kubeconfig?: string; input?: string } = {}): Promise<Run> =>
    new Promise((resolve) => {
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BRAMBLE_') && k !== 'KUBECONFIG'));
      const child = execFile(process.execPath, [CLI, ...args], { env: { ...env, KUBECONFIG: opts.kubeconfig ?? server.kubeconfigPath }, cwd: dir }, (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
      child.stdin?.end(opts.input ?? '');
    });

  const deploymentNow = async () => (await api.call('GET', '/apis/apps/v1/namespaces/shop/deployments/web')).json();

  beforeAll(async () => {
    const { values } = resolveOptions(
      SERVER_OPTIONS,
      ['--data-dir', join(dir, 'server'), '--https-port', '0', '--mqtt-port', '0', '--bind-address', '127.0.0.1', '--no-agent'],
      {},
    );
    server = await startServer(serverConfig(values), { logger: pino({ level: 'silent' }) });
    api = apiFromKubeconfig(server.kubeconfigPath);
    kubelet = await startFakeKubelet(api, 'pi-1');
  });

  afterAll(async () => {
    await kubelet?.stop();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('apply creates, then leaves unchanged, then configures', async () => {
    const path = file('web.yaml', manifest('nginx:1.25'));
    const first = await bramble(['apply', '-f', path]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toBe('namespace/shop created\ndeployment.apps/web created\nservice/web created\n');

    const again = await bramble(['apply', '-f', path]);
    expect(again.stdout).toBe('namespace/shop unchanged\ndeployment.apps/web unchanged\nservice/web unchanged\n');

    const live = await deploymentNow();
    const recorded = JSON.parse(live.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    expect(recorded).toMatchObject({ kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', annotations: {} }, spec: { replicas: 2 } });

    writeFileSync(path, manifest('nginx:1.26'));
    const changed = await bramble(['apply', '-f', dir.concat('/web.yaml')]);
    expect(changed.stdout).toBe('namespace/shop unchanged\ndeployment.apps/web configured\nservice/web unchanged\n');
    expect((await deploymentNow()).spec.template.spec.containers[0].image).toBe('nginx:1.26');
  });

  it('apply reads stdin and puts namespaces first', async () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: stdin-ns\ndata:\n  a: "1"\n';
    const r = await bramble(['apply', '-f', '-'], { input: `${cm}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: stdin-ns\n` });
    expect(r.stdout).toBe('namespace/stdin-ns created\nconfigmap/settings created\n');
  });

  it('rollout status waits for the rollout to finish', async () => {
    const r = await bramble(['rollout', 'status', 'deployment/web', '-n', 'shop', '--timeout', '30s']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('deployment "web" successfully rolled out');
  });

  it('get prints kubectl tables', async () => {
    const r = await bramble(['get', 'deploy', '-n', 'shop']);
    const [header, row] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^NAME {3}READY {3}UP-TO-DATE {3}AVAILABLE {3}AGE$/);
    expect(row).toMatch(/^web {4}2\/2 {5}2 {12}2 {11}\S+$/);

    const wide = await bramble(['get', 'deployments.apps', 'web', '-n', 'shop', '-o', 'wide']);
    expect(wide.stdout.split('\n')[0]).toMatch(/AGE {3}CONTAINERS {3}IMAGES {7}SELECTOR$/);
    expect(wide.stdout).toContain('nginx:1.26');

    const all = await bramble(['get', 'all', '-n', 'shop']);
    expect(all.stdout).toMatch(/^NAME +READY +STATUS +RESTARTS +AGE\npod\/web-/);
    expect(all.stdout).toContain('\n\nNAME          TYPE        CLUSTER-IP');
    expect(all.stdout).toContain('\ndeployment.apps/web   2/2');

    const everywhere = await bramble(['get', 'pods', '-A']);
    expect(everywhere.stdout.split('\n')[0]).toMatch(/^NAMESPACE {3}NAME /);

    const empty = await bramble(['get', 'pods']);
    expect(empty).toEqual({ code: 0, stdout: '', stderr: 'No resources found in default namespace.\n' });

    const missing = await bramble(['get', 'deploy', 'nope', '-n', 'shop']);
    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: 'Error from server (NotFound): deployments.apps "nope" not found\n' });
  });

  it('get -o yaml, json and name print whole objects', async () => {
    const yaml = await bramble(['get', 'deploy', 'web', '-n', 'shop', '-o', 'yaml']);
    const obj = parseYaml(yaml.stdout);
    expect(obj).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' } });

    const list = JSON.parse((await bramble(['get', 'svc,deploy', '-n', 'shop', '-o', 'json'])).stdout);
    expect(list.kind).toBe('List');
    expect(list.items.map((i: { kind: string }) => i.kind)).toEqual(['Service', 'Deployment']);

    const names = await bramble(['get', 'deploy,svc', '-n', 'shop', '-o', 'name']);
    expect(names.stdout).toBe('deployment.apps/web\nservice/web\n');
  });

  it('rollout history and undo go back to the previous template', async () => {
    const history = await bramble(['rollout', 'history', 'deployment/web', '-n', 'shop']);
    expect(history.stdout).toBe('deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n');

    const undo = await bramble(['rollout', 'undo', 'deployment/web', '-n', 'shop']);
    expect(undo).toMatchObject({ code: 0, stdout: 'deployment.apps/web rolled back\n' });
    const d = await deploymentNow();
    expect(d.spec.template.spec.containers[0].image).toBe('nginx:1.25');
    expect(d.spec.template.metadata.labels['pod-template-hash']).toBeUndefined();

    const status = await bramble(['rollout', 'status', 'deploy/web', '-n', 'shop', '--timeout', '30s']);
    expect(status.stdout).toContain('deployment "web" successfully rolled out');
    const after = await bramble(['rollout', 'history', 'deploy', 'web', '-n', 'shop']);
    expect(after.stdout).toBe('deployment.apps/web \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n\n');

    const tooFar = await bramble(['rollout', 'undo', 'deploy/web', '-n', 'shop', '--to-revision=9']);
    expect(tooFar).toMatchObject({ code: 1, stderr: 'error: unable to find specified revision 9 in history\n' });
  });

  it('scale patches the scale subresource', async () => {
    const r = await bramble(['scale', 'deploy/web', '--replicas=3', '-n', 'shop']);
    expect(r).toEqual({ code: 0, stdout: 'deployment.apps/web scaled\n', stderr: '' });
    expect((await deploymentNow()).spec.replicas).toBe(3);
    const bad = await bramble(['scale', 'deploy/web', '-n', 'shop']);
    expect(bad).toMatchObject({ code: 1, stderr: 'error: required flag(s) "replicas" not set\n' });
  });

  it('get -w prints the list, then rows as they change, under one header', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BRAMBLE_')));
    const child = spawn(process.execPath, [CLI, 'get', 'deploy', '-n', 'shop', '-w'], { env: { ...env, KUBECONFIG: server.kubeconfigPath } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const until = async (pred: () => boolean) => {
      for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
    };
    try {
      await until(() => out.includes('\n'));
      await api.call('PATCH', '/apis/apps/v1/namespaces/shop/deployments/web/scale', { spec: { replicas: 4 } }, { 'content-type': 'application/merge-patch+json' });
      await until(() => /\nweb +\d\/4 /.test(out));
    } finally {
      child.kill();
      await api.call('PATCH', '/apis/apps/v1/namespaces/shop/deployments/web/scale', { spec: { replicas: 3 } }, { 'content-type': 'application/merge-patch+json' });
    }
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME {3}READY/);
    expect(lines.filter((l) => l.startsWith('NAME'))).toHaveLength(1);
    expect(lines.some((l) => /^web +\d\/4 /.test(l))).toBe(true);
  });

  it('describe shows a deployment, its pods and events', async () => {
    await bramble(['rollout', 'status', 'deploy/web', '-n', 'shop', '--timeout', '30s']);
    const d = await bramble(['describe', 'deployment', 'web', '-n', 'shop']);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/^Name: +web\nNamespace: +shop\n/);
    expect(d.stdout).toMatch(/\nReplicas: +3 desired \| 3 updated \| 3 total \| 3 available \| 0 unavailable\n/);
    expect(d.stdout).toMatch(/\nNewReplicaSet: +web-\S+ \(3\/3 replicas created\)\n/);
    expect(d.stdout).not.toContain('last-applied-configuration');
    expect(d.stdout).toMatch(/\nEvents:\n {2}Type +Reason +Age +From +Message\n/);

    const pod = await bramble(['describe', 'pod', 'web', '-n', 'shop']);
    expect(pod.stdout).toMatch(/Node: +pi-1\/127\.0\.0\.1\n/);
    expect(pod.stdout).toMatch(/Status: +Running\n/);
    expect(pod.stdout).toMatch(/ {4}State: +Running\n/);

    const node = await bramble(['describe', 'node', 'pi-1']);
    expect(node.stdout).toMatch(/\nConditions:\n {2}Type +Status +LastHeartbeatTime/);
    expect(node.stdout).toMatch(/\nCapacity:\n {2}cpu: +4\n/);
  });

  it('token create stores a bootstrap token Secret and prints K10<ca-hash>::<id>.<secret>', async () => {
    const r = await bramble(['token', 'create', '--ttl', '1h', '--description', 'pi rack 2']);
    expect(r.stderr).toBe('');
    const m = /^K10([0-9a-f]{64})::([a-z0-9]{6})\.([a-z0-9]{16})\n$/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(m![1]).toBe(server.pki.caHash);
    const secret = (await api.call('GET', `/api/v1/namespaces/kube-system/secrets/bootstrap-token-${m![2]}`)).json();
    expect(secret.type).toBe('bootstrap.kubernetes.io/token');
    const data = Object.fromEntries(Object.entries(secret.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    expect(data).toMatchObject({ 'token-id': m![2], 'token-secret': m![3], 'usage-bootstrap-authentication': 'true', description: 'pi rack 2' });
    const expires = Date.parse(data.expiration);
    expect(Math.abs(expires - (Date.now() + 3_600_000))).toBeLessThan(60_000);
  });

  it('reports an unknown kind with kubectl’s wording', async () => {
    const path = file('foo.yaml', 'apiVersion: v1\nkind: Foo\nmetadata:\n  name: x\n');
    const r = await bramble(['apply', '-f', path]);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: resource mapping not found for name: "x" namespace: "" from "${path}": no matches for kind "Foo" in version "v1"\n`,
    });
  });

  it('reports malformed YAML as one line with the file and line', async () => {
    const path = file('bad.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n data: [\n');
    const r = await bramble(['apply', '-f', path]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^error: error parsing ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line \\d+: [^\\n]+\\n$`));
  });

  it('reports a 422 like kubectl', async () => {
    const r = await bramble(['apply', '-f', '-'], { input: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bad\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: b}]\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^The Deployment "bad" is invalid: /);
    expect(r.stderr).toContain('spec.selector: Required value');
  });

  it('says Unauthorized for a wrong token, and names an unreachable server', async () => {
    const wrong = file('wrong.yaml', readFileSync(server.kubeconfigPath, 'utf8').replace(/token: .*/, 'token: not-the-token'));
    expect(await bramble(['get', 'pods'], { kubeconfig: wrong })).toEqual({ code: 1, stdout: '', stderr: 'error: You must be logged in to the server (Unauthorized)\n' });

    const port = await freePort();
    const gone = file('gone.yaml', readFileSync(server.kubeconfigPath, 'utf8').replace(/server: .*/, `server: https://127.0.0.1:${port}`));
    expect(await bramble(['get', 'pods'], { kubeconfig: gone })).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: cannot reach the Bramble API at https://127.0.0.1:${port}: connection refused (is 'bramble server' running?)\n`,
    });
    const version = await bramble(['version'], { kubeconfig: gone });
    expect(version.code).toBe(1);
    expect(version.stdout).toBe('Client Version: v0.1.0\n');
    expect(version.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('version prints the client and server versions', async () => {
    const r = await bramble(['version']);
    expect(r.stdout).toMatch(/^Client Version: v0\.1\.0\nServer Version: v1\.\d+\.\d+\S*\n$/);
  });

  it('rejects bad flags in one line, and has --help', async () => {
    expect(await bramble(['get', 'pods', '--bogus'])).toEqual({ code: 1, stdout: '', stderr: 'error: unknown flag: --bogus\n' });
    const help = await bramble(['delete', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: bramble delete /);
  });

  it('delete -f deletes everything in the file and waits until it is gone', async () => {
    const r = await bramble(['delete', '-f', join(dir, 'web.yaml')]);
    expect(r).toEqual({ code: 0, stdout: 'deployment.apps "web" deleted\nservice "web" deleted\nnamespace "shop" deleted\n', stderr: '' });
    expect((await api.call('GET', '/apis/apps/v1/namespaces/shop/deployments/web')).status).toBe(404);

    const again = await bramble(['delete', 'deployment', 'web', '-n', 'shop']);
    expect(again).toEqual({ code: 1, stdout: '', stderr: 'Error from server (NotFound): deployments.apps "web" not found\n' });
    expect(await bramble(['delete', 'deployment', 'web', '-n', 'shop', '--ignore-not-found'])).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
