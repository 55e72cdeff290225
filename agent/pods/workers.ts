// workers: the PodManager, the kubelet's pod management for one node. It keeps one PodWorker per
// pod and works level-triggered from the last DesiredState it was given (pods, ConfigMaps, Secrets
// for this node), so pods keep running and crashed containers restart while the server is away.
//
//   setDesired ──▶ a worker per desired pod (update), remove() for the others, orphans stopped
//   start()    ──▶ lists labelled containers and hands them to the workers: adoption, no restarts
//   runtime events (die, oom, start, destroy) ──▶ the owning worker re-inspects that container
//   resync every 10 s ──▶ one runtime list for all workers, then every worker syncs (safety net)
//   worker status ──▶ batched (~100 ms), sent only when its JSON changed
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod } from '../../shared/api/core.js';
import { type Clock, systemClock } from '../../shared/clock.js';
import type { DesiredState, EventEntry, PodStatusEntry } from '../../shared/mqtt/payloads.js';
import { type ContainerInfo, type ContainerRuntime, LABELS } from '../runtime/runtime.js';
import { GRACE_LABEL } from './container-spec.js';
import { normalizeArch } from './images.js';
import { type Prober, realProber } from './probes.js';
import { indexLookup, type ObjectLookup } from './sources.js';
import { type Delay, realDelay } from './timing.js';
import { PodWorker, type WorkerEnv } from './worker.js';

export interface PodManagerOptions {
  runtime: ContainerRuntime;
  nodeName: string;
  nodeIP: string;
  /** network: the pod network (a bridge with the node's pod subnet, created by the agent). */
  network: string;
  /** dataDir: the agent's data directory; pod volumes live in DATA_DIR/pods/<uid>. */
  dataDir: string;
  onStatus(entries: PodStatusEntry[]): void;
  onEvent(e: EventEntry): void;
  /** pauseImage gives the infra container's image; default: runtime.ensurePauseImage(). */
  pauseImage?: () => string | Promise<string>;
  /** nodeArch / nodeOS: the platform images must be built for; default: the runtime's info(). */
  nodeArch?: string;
  nodeOS?: string;
  clusterDNS?: string[];
  clusterDomain?: string;
  clock?: Clock;
  delay?: Delay;
  prober?: Prober;
  resyncMs?: number;
  statusDebounceMs?: number;
  log?: (msg: string, err?: unknown) => void;
}

const RESYNC_MS = 10_000;
const STATUS_DEBOUNCE_MS = 100;
const EVENTS_RETRY_MS = 5_000;
const WATCHED_ACTIONS = new Set(['die', 'oom', 'start', 'stop', 'kill', 'destroy']);

export class PodManager {
  private readonly workers = new Map<string, PodWorker>();
  private readonly reported = new Map<string, string>();
  private readonly dirtyStatus = new Set<string>();
  private desired?: DesiredState;
  private lookup: ObjectLookup = indexLookup([], []);
  private adoptable = new Map<string, ContainerInfo[]>();
  private wanted = new Map<string, Pod>();
  private applied = false;
  private started = false;
  private stopped = false;
  private idPrefix = 'docker';
  private platform = { os: 'linux', arch: '' };
  private readonly env: WorkerEnv;
  private readonly delay: Delay;
  private resyncTimer?: { cancel(): void };
  private flushTimer?: { cancel(): void };
  private readonly events = new AbortController();

  constructor(private readonly opts: PodManagerOptions) {
    this.delay = opts.delay ?? realDelay;
    const log = opts.log ?? (() => {});
    this.env = {
      runtime: opts.runtime,
      clock: opts.clock ?? systemClock,
      delay: this.delay,
      prober: opts.prober ?? realProber(opts.runtime),
      nodeName: opts.nodeName,
      nodeIP: opts.nodeIP,
      platform: this.platform,
      network: opts.network,
      clusterDNS: opts.clusterDNS,
      clusterDomain: opts.clusterDomain,
      dataDir: opts.dataDir,
      pauseImage: async () => (opts.pauseImage ? opts.pauseImage() : opts.runtime.ensurePauseImage()),
      lookup: () => this.lookup,
      idPrefix: () => this.idPrefix,
      event: (e) => opts.onEvent(e),
      changed: (w) => this.workerChanged(w),
      log,
    };
  }

  /** start adopts the containers already on the node, then follows runtime events and resyncs. */
  async start(): Promise<void> {
    const info = await this.opts.runtime.info();
    this.idPrefix = info.name || 'docker';
    this.platform.arch = normalizeArch(this.opts.nodeArch ?? info.architecture);
    this.platform.os = (this.opts.nodeOS ?? info.os ?? 'linux').toLowerCase();
    this.adoptable = groupByPod(await this.opts.runtime.list());
    this.started = true;
    this.followEvents();
    this.scheduleResync();
    if (this.desired) await this.apply();
  }

  /** setDesired makes the node's pods what the state says (an older revision is ignored). */
  setDesired(state: DesiredState): void {
    if (this.desired && state.revision < this.desired.revision) return;
    this.desired = state;
    if (this.started && !this.stopped) void this.apply();
  }

  /** stop leaves every container running (a restarted agent adopts them) and stops all timers. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.events.abort();
    this.resyncTimer?.cancel();
    this.flushTimer?.cancel();
    await Promise.all([...this.workers.values()].map((w) => w.halt()));
  }

  /** reportAll sends every pod's status again at the next flush (after a reconnect). */
  reportAll(): void {
    this.reported.clear();
    for (const uid of this.workers.keys()) this.markDirty(uid);
  }

  /** idle resolves when no worker is syncing (for tests and benchmarks). */
  async idle(): Promise<void> {
    for (;;) {
      const busy = [...this.workers.values()].filter((w) => w.busy);
      if (busy.length === 0) return;
      await Promise.all(busy.map((w) => w.idle()));
    }
  }

  /** statuses returns the current status entry of every reported pod. */
  statuses(): PodStatusEntry[] {
    return [...this.workers.values()].map((w) => w.entry()).filter((e): e is PodStatusEntry => e !== undefined);
  }

  private async apply(): Promise<void> {
    const state = this.desired;
    if (!state) return;
    this.lookup = indexLookup(state.configMaps ?? [], state.secrets ?? []);
    const want = new Map<string, Pod>();
    for (const p of state.pods as Pod[]) {
      const uid = p.metadata?.uid;
      if (!uid || (p.spec?.nodeName && p.spec.nodeName !== this.opts.nodeName)) continue;
      want.set(uid, p);
    }
    this.wanted = want;
    for (const [uid, pod] of want) {
      const w = this.workers.get(uid);
      if (w && !w.removed) w.update(pod);
      else if (!w) this.addWorker(pod, this.adoptable.get(uid) ?? [], false);
      this.adoptable.delete(uid);
    }
    for (const [uid, w] of this.workers) if (!want.has(uid) && !w.removed) w.remove();
    for (const infos of this.adoptable.values()) this.addOrphan(infos);
    this.adoptable.clear();
    if (!this.applied) {
      this.applied = true;
      await this.removeStrayDirs();
    }
  }

  private addWorker(pod: Pod, adopted: ContainerInfo[], quiet: boolean): PodWorker {
    const w = new PodWorker(this.env, pod, adopted, quiet);
    this.workers.set(w.uid, w);
    w.request();
    return w;
  }

  // addOrphan stops and removes containers of a pod that is no longer desired (deleted while the
  // agent was down), with the grace period its infra container recorded.
  private addOrphan(infos: ContainerInfo[]): void {
    const labels = infos[0].labels;
    const grace = Number(infos.find((c) => c.labels[GRACE_LABEL])?.labels[GRACE_LABEL] ?? 30);
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { uid: labels[LABELS.podUid], name: labels[LABELS.podName], namespace: labels[LABELS.podNamespace] },
      spec: { containers: [], terminationGracePeriodSeconds: grace },
    };
    this.addWorker(pod, infos, true).remove();
  }

  // removeStrayDirs deletes pod directories no pod owns (a pod deleted while the agent was down).
  private async removeStrayDirs(): Promise<void> {
    const dir = join(this.opts.dataDir, 'pods');
    const uids = await readdir(dir).catch(() => [] as string[]);
    for (const uid of uids) if (!this.workers.has(uid)) await rm(join(dir, uid), { recursive: true, force: true });
  }

  private workerChanged(w: PodWorker): void {
    if (w.removed && w.phase === 'cleanedUp') {
      if (this.workers.get(w.uid) === w) this.workers.delete(w.uid);
      this.reported.delete(w.uid);
      this.dirtyStatus.delete(w.uid);
      // The pod came back while its old worker was leaving: start it afresh.
      const again = this.wanted.get(w.uid);
      if (again && !this.stopped && !this.workers.has(w.uid)) this.addWorker(again, [], false);
      return;
    }
    this.markDirty(w.uid);
  }

  private markDirty(uid: string): void {
    this.dirtyStatus.add(uid);
    if (this.flushTimer || this.stopped) return;
    this.flushTimer = this.delay(this.opts.statusDebounceMs ?? STATUS_DEBOUNCE_MS, () => {
      this.flushTimer = undefined;
      this.flush();
    });
  }

  private flush(): void {
    const entries: PodStatusEntry[] = [];
    for (const uid of this.dirtyStatus) {
      const e = this.workers.get(uid)?.entry();
      if (!e) continue;
      const json = JSON.stringify(e);
      if (this.reported.get(uid) === json) continue;
      this.reported.set(uid, json);
      entries.push(e);
    }
    this.dirtyStatus.clear();
    if (entries.length) this.opts.onStatus(entries);
  }

  private followEvents(): void {
    if (this.stopped) return;
    const onEvent = (e: { id: string; action: string }) => {
      if (!WATCHED_ACTIONS.has(e.action.split(':')[0])) return;
      for (const w of this.workers.values()) if (w.owns(e.id)) w.noteEvent(e.id);
    };
    this.opts.runtime
      .events(onEvent, this.events.signal)
      .catch((err: unknown) => this.env.log('runtime events ended', err))
      .finally(() => {
        if (!this.stopped) this.delay(EVENTS_RETRY_MS, () => this.followEvents());
      });
  }

  private scheduleResync(): void {
    if (this.stopped) return;
    this.resyncTimer = this.delay(this.opts.resyncMs ?? RESYNC_MS, () => void this.resync().finally(() => this.scheduleResync()));
  }

  // resync lists the runtime once for every worker; a worker takes the list only if it changed
  // nothing since its mark was read (else its own view is newer).
  private async resync(): Promise<void> {
    if (this.stopped) return;
    const marks = new Map([...this.workers].map(([uid, w]) => [uid, w.mark]));
    let groups: Map<string, ContainerInfo[]>;
    try {
      groups = groupByPod(await this.opts.runtime.list());
    } catch (err) {
      this.env.log('resync: listing containers failed', err);
      return;
    }
    for (const [uid, w] of this.workers) {
      const mark = marks.get(uid);
      if (mark !== undefined) w.observeList(groups.get(uid) ?? [], mark);
      w.request();
    }
    if (!this.applied) return;
    for (const [uid, infos] of groups) if (!this.workers.has(uid)) this.addOrphan(infos);
  }
}

function groupByPod(list: ContainerInfo[]): Map<string, ContainerInfo[]> {
  const out = new Map<string, ContainerInfo[]>();
  for (const c of list) {
    const uid = c.labels[LABELS.podUid];
    if (!uid) continue;
    const group = out.get(uid);
    if (group) group.push(c);
    else out.set(uid, [c]);
  }
  return out;
}
