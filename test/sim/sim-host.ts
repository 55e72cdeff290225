// sim-host: what a simulated node has instead of a machine — the parts of the real agent's world
// that would touch this host (Docker, iptables and ip, a DNS server on port 10053, /proc and /sys,
// HTTP probes to pod IPs) replaced by fakes that answer at once and touch nothing. Everything
// that talks to the server (join, MQTT link, sampler, pod workers) stays the real agent's.
import { createHash } from 'node:crypto';
import { totalmem } from 'node:os';
import type { Exec } from '../../agent/proxy/iptables.js';
import { FakeRuntime, normalizeRef } from '../../agent/runtime/fake.js';
import type { PullProgress, RegistryAuth } from '../../agent/runtime/runtime.js';
import { type Prober, realProber } from '../../agent/pods/probes.js';
import type { NodeNetworkOptions } from '../../agent/net/node-network.js';
import { HOST_PATHS, type HostProbe } from '../../agent/stats/host.js';
import { PATHS } from '../../agent/stats/fingerprint.js';

/**
 * SimRuntime is a FakeRuntime whose registry has every image: a pull of any reference succeeds
 * at once, and the image's program runs until stopped and exits 0 on SIGTERM (so a deleted pod
 * ends at once, as nginx would, instead of after its grace period). A pod's own command still
 * runs through fake-script (`sh -c 'sleep 5; exit 1'` does what it says).
 */
export class SimRuntime extends FakeRuntime {
  override async pull(ref: string, auth: RegistryAuth | undefined, onProgress?: (p: PullProgress) => void): Promise<void> {
    this.addRemoteImage(normalizeRef(ref), { cmd: ['/app'], sigtermExitCode: 0 });
    // The fake keeps every pulled ref for tests to assert on; thousands of nodes pulling for
    // hours would make that list a leak.
    const r = super.pull(ref, auth, onProgress);
    this.pulls.length = 0;
    return r;
  }
}

/** noopExec stands in for iptables and ip: every command succeeds, prints nothing and does nothing. */
export const noopExec: Exec = async () => ({ code: 0, stdout: '', stderr: '' });

/** noopDns stands in for the node's cluster DNS server: it "serves" without opening a port. */
export const noopDns: NonNullable<NodeNetworkOptions['dns']> = { port: 10053, serve: async () => {}, close: async () => {} };

// SimProber runs exec probes in the fake containers and passes HTTP and TCP probes: pod IPs of
// simulated nodes lead nowhere, and tests stay on loopback.
export function simProber(runtime: SimRuntime): Prober {
  const real = realProber(runtime);
  return (probe, target, timeoutMs) => (probe?.exec ? real(probe, target, timeoutMs) : Promise.resolve({ ok: true }));
}

const GiB = 1024 ** 3;
const BOOT_ID = 'c0ffee00-0000-4000-8000-000000000000';

/**
 * simProbe is a HostProbe with fixed facts: the host's memory size (capacity comes from it)
 * three quarters free, a 32 GiB disk half free, 47 °C, no throttling; the machine id is made from
 * the node name, so nodes differ as real ones do.
 */
export function simProbe(nodeName: string): HostProbe {
  const total = totalmem();
  const files: Record<string, string> = {
    [HOST_PATHS.meminfo]: `MemTotal: ${Math.floor(total / 1024)} kB\nMemAvailable: ${Math.floor((total * 0.75) / 1024)} kB\n`,
    [HOST_PATHS.loadavg]: '0.10 0.10 0.10 1/180 4242\n',
    [HOST_PATHS.pidMax]: '32768\n',
    [HOST_PATHS.thermal]: '47000\n',
    [HOST_PATHS.throttled]: '0\n',
    [PATHS.osRelease]: 'PRETTY_NAME="Bramble simulated node"\n',
    [PATHS.machineId]: `${createHash('sha256').update(nodeName).digest('hex').slice(0, 32)}\n`,
    [PATHS.bootId]: `${BOOT_ID}\n`,
  };
  return {
    read: async (path) => files[path],
    statfs: async () => ({ total: 32 * GiB, available: 16 * GiB }),
    vcgencmd: async () => undefined,
    siTemperature: async () => undefined,
  };
}
