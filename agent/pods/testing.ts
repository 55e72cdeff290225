// testing: a harness for pod-manager tests: a FakeRuntime and the PodManager on one ManualClock,
// a temp data dir, and the statuses and events the manager sent. Used by the tests beside it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod, PodSpec } from '../../shared/api/core.js';
import type { KubeObject, ObjectMeta } from '../../shared/api/meta.js';
import type { DesiredState, EventEntry, PodStatusEntry } from '../../shared/mqtt/payloads.js';
import { flushMicrotasks, ManualClock } from '../runtime/fake-clock.js';
import { FakeRuntime } from '../runtime/fake.js';
import type { ContainerSpec } from '../runtime/runtime.js';
import type { Prober } from './probes.js';
import type { Delay } from './timing.js';
import { PodManager } from './workers.js';

export const NODE = 'pi1';
export const NODE_IP = '192.168.1.10';

export function makePod(name: string, spec: Partial<PodSpec>, meta: Partial<ObjectMeta> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, ...meta },
    spec: { nodeName: NODE, containers: [], ...spec },
  };
}

export interface HarnessOptions {
  /** architecture: the node's machine name as Docker reports it (default aarch64, a Pi). */
  architecture?: string;
  prober?: Prober;
}

export class Harness {
  readonly clock = new ManualClock();
  readonly rt: FakeRuntime;
  readonly dataDir = mkdtempSync(join(tmpdir(), 'bramble-pods-'));
  readonly reports: PodStatusEntry[][] = [];
  readonly events: EventEntry[] = [];
  /** specs: every spec the manager created a container from. */
  readonly specs: ContainerSpec[] = [];
  mgr: PodManager;
  private revision = 0;
  private readonly delay: Delay = (ms, fn) => {
    const cancel = this.clock.setTimeout(fn, ms);
    return { cancel };
  };

  constructor(private readonly opts: HarnessOptions = {}) {
    this.rt = new FakeRuntime({ clock: this.clock, architecture: opts.architecture ?? 'aarch64' });
    const create = this.rt.create.bind(this.rt);
    this.rt.create = async (spec) => {
      this.specs.push(structuredClone(spec));
      return create(spec);
    };
    this.mgr = this.newManager();
  }

  newManager(): PodManager {
    return new PodManager({
      runtime: this.rt,
      clock: this.clock,
      delay: this.delay,
      nodeName: NODE,
      nodeIP: NODE_IP,
      network: 'pods',
      dataDir: this.dataDir,
      onStatus: (e) => this.reports.push(e),
      onEvent: (e) => this.events.push(e),
      prober: this.opts.prober,
      clusterDNS: ['10.43.0.10'],
    });
  }

  async start(): Promise<void> {
    await this.rt.ensureNetwork('pods', '10.42.0.0/24', '10.42.0.1');
    await this.mgr.start();
  }

  /** restartAgent stops the manager (containers keep running) and starts a new one. */
  async restartAgent(): Promise<void> {
    await this.mgr.stop();
    this.mgr = this.newManager();
    await this.mgr.start();
  }

  desire(pods: Pod[], extra: { configMaps?: KubeObject[]; secrets?: KubeObject[] } = {}): void {
    const state: DesiredState = { v: 1, revision: ++this.revision, pods, configMaps: extra.configMaps ?? [], secrets: extra.secrets ?? [] };
    this.mgr.setDesired(state);
  }

  /** settle lets every worker finish what it started (file I/O is real) and fires due timers. */
  async settle(): Promise<void> {
    for (let i = 0; i < 4; i++) {
      await this.clock.advance(0);
      // A worker may be waiting for the clock (a stop's grace period): then only time helps. Tests
      // that expect that move the clock themselves (clock.advance) rather than in small steps.
      const idle = await Promise.race([this.mgr.idle().then(() => true), new Promise((r) => setTimeout(() => r(false), 250))]);
      await flushMicrotasks();
      if (!idle) return;
    }
  }

  /** advance moves time in steps of at most 500 ms, settling after each. */
  async advance(ms: number): Promise<void> {
    await this.settle();
    let left = ms;
    while (left > 0) {
      const step = Math.min(500, left);
      await this.clock.advance(step);
      await this.settle();
      left -= step;
    }
    // the status debounce (100 ms) is a timer too
    await this.clock.advance(100);
    await this.settle();
  }

  /** status is the last status reported for a pod. */
  status(name: string): Record<string, any> | undefined {
    return this.entry(name)?.status;
  }

  entry(name: string): PodStatusEntry | undefined {
    for (let i = this.reports.length - 1; i >= 0; i--) {
      const e = this.reports[i].find((x) => x.name === name);
      if (e) return e;
    }
    return undefined;
  }

  container(name: string, container: string): Record<string, any> | undefined {
    const s = this.status(name);
    return [...(s?.initContainerStatuses ?? []), ...(s?.containerStatuses ?? [])].find((c: any) => c.name === container);
  }

  reasons(): string[] {
    return this.events.map((e) => e.reason);
  }

  async close(): Promise<void> {
    await this.mgr.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
