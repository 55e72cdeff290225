// mosquitto: a real Eclipse Mosquitto broker for tests, the way a Bramble site would run one as
// its external broker (`bramble server --mqtt-url mqtts://…`): Debian's /usr/sbin/mosquitto in a
// temp dir, one TLS listener on a free 127.0.0.1 port, anonymous clients refused, and the dynamic
// security plugin initialised with an admin account (`mosquitto_ctrl dynsec init`), which the
// server then drives over $CONTROL/dynamic-security/v1. The broker's certificate (127.0.0.1 and
// localhost) is signed by the CA given, or by a test CA of its own (caPem). stop() kills it and
// removes the dir.
//
// Mosquitto missing? The tests skip nothing: as root with apt-get (CI, see .ci/run) it is
// installed the way .ci/run does it; otherwise startMosquitto fails saying what to install.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CaMaterial, createCa, signLeaf } from '../../server/pki/certs.js';
import { freePort } from './server-process.js';

export interface MosquittoBinaries {
  mosquitto: string;
  ctrl: string;
  /** dynsec: the dynamic security plugin (mosquitto_dynamic_security.so). */
  dynsec: string;
}

export interface Mosquitto {
  port: number;
  /** url: mqtts://127.0.0.1:<port>, without credentials. */
  url: string;
  /** caPem: the CA that signed the broker's certificate. */
  caPem: string;
  admin: { username: string; password: string };
  /** dir: the broker's temp dir (config, certificate, dynamic-security.json). */
  dir: string;
  output(): string;
  stop(): Promise<void>;
}

export interface MosquittoOptions {
  /** ca: sign the broker's certificate with this CA (e.g. the cluster's); default: a new test CA. */
  ca?: CaMaterial;
  adminUsername?: string;
  /** sans: more names/IPs for the broker's certificate (e.g. the lab gateway agents reach it at). */
  sans?: string[];
}

const MULTIARCH: Record<string, string> = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu', arm: 'arm-linux-gnueabihf' };

function findBinaries(): MosquittoBinaries | undefined {
  const first = (paths: string[]) => paths.find((p) => existsSync(p));
  const mosquitto = first(['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/bin/mosquitto']);
  const ctrl = first(['/usr/bin/mosquitto_ctrl', '/usr/local/bin/mosquitto_ctrl']);
  const triplet = MULTIARCH[arch()];
  const dynsec = first([
    ...(triplet ? [`/usr/lib/${triplet}/mosquitto_dynamic_security.so`] : []),
    '/usr/lib/mosquitto_dynamic_security.so',
    '/usr/local/lib/mosquitto_dynamic_security.so',
  ]);
  return mosquitto && ctrl && dynsec ? { mosquitto, ctrl, dynsec } : undefined;
}

/** requireMosquitto finds mosquitto, mosquitto_ctrl and the dynsec plugin, installing Debian's package if it can. */
export function requireMosquitto(): MosquittoBinaries {
  const found = findBinaries();
  if (found) return found;
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (canInstall) {
    // As .ci/run does it.
    try {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
      execFileSync('apt-get', ['install', '-y', '-qq', 'mosquitto'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    } catch (err) {
      throw new Error(`mosquitto is not installed and \`apt-get install mosquitto\` failed: ${(err as Error).message}`);
    }
    const installed = findBinaries();
    if (installed) return installed;
  }
  throw new Error(
    'these tests need Eclipse Mosquitto 2 (mosquitto, mosquitto_ctrl and mosquitto_dynamic_security.so), which is not installed: ' +
      'run `apt-get install mosquitto` as root (what .ci/run does)',
  );
}

/** startMosquitto runs a TLS-only Mosquitto with the dynamic security plugin on a free loopback port. */
export async function startMosquitto(opts: MosquittoOptions = {}): Promise<Mosquitto> {
  const bin = requireMosquitto();
  const dir = mkdtempSync(join(tmpdir(), 'bramble-mosquitto-'));
  try {
    const now = Date.now();
    const ca = opts.ca ?? (await createCa(`mosquitto-test-ca@${Math.floor(now / 1000)}`, 1, now));
    const leaf = await signLeaf(ca, { commonName: '127.0.0.1', sans: ['127.0.0.1', 'localhost', ...(opts.sans ?? [])], days: 1 }, now);
    writeFileSync(join(dir, 'ca.crt'), ca.caCertPem);
    writeFileSync(join(dir, 'server.crt'), leaf.certPem);
    writeFileSync(join(dir, 'server.key'), leaf.keyPem, { mode: 0o600 });
    const admin = { username: opts.adminUsername ?? 'bramble-admin', password: randomBytes(18).toString('base64url') };
    const dynsecFile = join(dir, 'dynamic-security.json');
    execFileSync(bin.ctrl, ['dynsec', 'init', dynsecFile, admin.username, admin.password], { stdio: 'pipe' });

    // A free port can be taken between freePort() and mosquitto's bind: try a few.
    let lastErr: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      try {
        return await launch(bin, dir, port, dynsecFile, ca.caCertPem, admin);
      } catch (err) {
        lastErr = err;
        if (!/Address already in use/i.test(String((err as Error).message))) break;
      }
    }
    throw lastErr;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function launch(bin: MosquittoBinaries, dir: string, port: number, dynsecFile: string, caPem: string, admin: Mosquitto['admin']): Promise<Mosquitto> {
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      // As root, mosquitto would switch to the `mosquitto` user, which cannot read this dir.
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      'per_listener_settings false',
      'allow_anonymous false',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      'log_type information',
      `plugin ${bin.dynsec}`,
      `plugin_opt_config_file ${dynsecFile}`,
      `listener ${port} 127.0.0.1`,
      `certfile ${join(dir, 'server.crt')}`,
      `keyfile ${join(dir, 'server.key')}`,
      'tls_version tlsv1.2',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(bin.mosquitto, ['-c', conf], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 10_000;
  while (!/mosquitto version \S+ running/.test(out)) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`mosquitto exited early (${child.exitCode ?? child.signalCode}): ${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`mosquitto did not start within 10s: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  let stopped = false;
  return {
    port,
    url: `mqtts://127.0.0.1:${port}`,
    caPem,
    admin,
    dir,
    output: () => out,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
