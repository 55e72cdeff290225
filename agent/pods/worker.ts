// worker: one pod's worker, as the kubelet's pod workers. Everything that happens to a pod happens
// in its worker's loop, one sync at a time; triggers (a new desired state, a container exit, a
// probe turning, a back-off ending, the periodic resync) only mark the worker dirty.
//
//            desired pod                    removed from desired state, deletionTimestamp,
//                │                          or a terminal phase (Succeeded/Failed)
//                ▼                                       │
//   ┌──────────────────────────┐                         ▼
//   │         syncing          │──────────────▶ ┌───────────────┐
//   │ volumes → infra (pause,  │                │  terminating  │ SIGTERM each container, wait up
//   │ pod IP, ports, DNS) →    │                │               │ to the grace period, then infra
//   │ init containers in order │                └───────┬───────┘
//   │ → app containers; restart│                        ▼
//   │ per restartPolicy with   │                ┌───────────────┐ containers kept (logs) while a
//   │ back-off; probes         │                │  terminated   │ finished pod stays desired;
//   └──────────────────────────┘                └───────┬───────┘ `terminated: true` when deleted
//                                 removed or deleted    ▼
//                                               ┌───────────────┐ containers and the pod dir are
//                                               │  cleaned up   │ gone; the manager drops the worker
//                                               └───────────────┘ once the pod leaves the desired state
//
// Containers are found again by labels (pod uid, name, role, spec hash, attempt), so an agent that
// restarts adopts what runs. Per container name the newest attempt is "latest" and the one before
// it is kept for lastState and `logs --previous`; older ones are removed.
import type { Container, Pod, PodStatus } from '../../shared/api/core.js';
import { type Clock, rfc3339 } from '../../shared/clock.js';
import type { EventEntry, PodStatusEntry } from '../../shared/mqtt/payloads.js';
import { type ContainerInfo, type ContainerRuntime, LABELS } from '../runtime/runtime.js';
import { CrashBackoff, PullBackoff, seconds } from './backoff.js';
import { appSpec, containerHash, GRACE_LABEL, graceSeconds, infraSpec } from './container-spec.js';
import { resolveEnv } from './env.js';
import { ensureImage, type Platform, pullAuth, pullPolicy } from './images.js';
import { isRunning, PodContainers } from './pod-containers.js';
import { PodEvents } from './pod-events.js';
import { PodProbes } from './pod-probes.js';
import type { Prober, ProbeKind } from './probes.js';
import type { ObjectLookup } from './sources.js';
import { attemptOf, type ContainerStatusView, containerStatus, podStatus } from './status.js';
import { type Delay, parseTime } from './timing.js';
import { PodVolumes, podDir } from './volumes.js';

export type WorkerPhase = 'syncing' | 'terminating' | 'terminated' | 'cleanedUp';

/** INFRA_GRACE_SECONDS: the pause container dies at once on SIGTERM (it runs under an init). */
const INFRA_GRACE_SECONDS = 2;

/** WorkerEnv is what every worker shares, built by the PodManager. */
export interface WorkerEnv {
  runtime: ContainerRuntime;
  clock: Clock;
  delay: Delay;
  prober: Prober;
  nodeName: string;
  nodeIP: string;
  platform: Platform;
  network: string;
  clusterDNS?: string[];
  clusterDomain?: string;
  dataDir: string;
  pauseImage(): Promise<string>;
  lookup(): ObjectLookup;
  idPrefix(): string;
  event(e: EventEntry): void;
  /** changed: the worker's status or phase may have changed. */
  changed(w: PodWorker): void;
  log(msg: string, err?: unknown): void;
}

/** Rec is what a worker remembers per container name between syncs (the runtime has the rest). */
interface Rec {
  /** waiting: why the container isn't running, as decided by the last sync. */
  waiting?: { reason: string; message?: string };
  crash: CrashBackoff;
  pull: PullBackoff;
  /** started: the container this agent last started, and when (by the injected clock). */
  started?: { id: string; at: number };
}

const newRec = (): Rec => ({ crash: new CrashBackoff(), pull: new PullBackoff() });
const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class PodWorker {
  phase: WorkerPhase = 'syncing';
  /** removed: the pod left the desired state (or is an orphan found on the node). */
  removed = false;
  status?: PodStatus;
  private readonly recs = new Map<string, Rec>();
  private readonly kills = new Map<string, ProbeKind>();
  private dirty = false;
  private looping = false;
  private loopDone: Promise<void> = Promise.resolve();
  private halted = false;
  private wake?: { at: number; cancel(): void };
  private podIP?: string;
  private startTime?: string;
  private readonly containers: PodContainers;
  private readonly volumes: PodVolumes;
  private readonly probes: PodProbes;
  private readonly events: PodEvents;

  constructor(
    private readonly env: WorkerEnv,
    public pod: Pod,
    adopted: ContainerInfo[],
    /** quiet: send no events (orphans, whose pod the server no longer knows). */
    private readonly quiet = false,
  ) {
    this.containers = new PodContainers(env.runtime, this.uid, (msg, err) => env.log(`pod ${this.key()}: ${msg}`, err));
    this.containers.adopt(adopted);
    this.events = new PodEvents(() => this.pod, env.event, env.clock, quiet);
    this.volumes = new PodVolumes(podDir(env.dataDir, this.uid));
    this.probes = new PodProbes(env.prober, env.delay, {
      kill: (id, kind) => this.kills.set(id, kind),
      unhealthy: (name, kind, message) => this.events.warning('Unhealthy', `${kind[0].toUpperCase()}${kind.slice(1)} probe failed: ${message ?? ''}`.trim(), name),
      changed: () => this.request(),
    });
  }

  get uid(): string {
    return this.pod.metadata.uid ?? '';
  }

  /** mark counts runtime mutations; a container list taken after it is current unless it moved. */
  get mark(): number {
    return this.containers.mark;
  }

  get busy(): boolean {
    return this.looping;
  }

  update(pod: Pod): void {
    this.pod = pod;
    this.request();
  }

  remove(): void {
    this.removed = true;
    this.request();
  }

  owns(id: string): boolean {
    return this.containers.owns(id);
  }

  /** noteEvent: the runtime reported a change of one of this pod's containers. */
  noteEvent(id: string): void {
    this.containers.note(id);
    this.request();
  }

  /** observeList hands over the pod's containers from a runtime list taken when mark was read. */
  observeList(infos: ContainerInfo[], mark: number): void {
    this.containers.offer(infos, mark);
  }

  request(): void {
    if (this.halted) return;
    this.dirty = true;
    if (this.looping) return;
    this.looping = true;
    this.loopDone = this.loop();
  }

  idle(): Promise<void> {
    return this.loopDone;
  }

  /** halt stops timers and probes (the agent is stopping); containers keep running. */
  async halt(): Promise<void> {
    this.halted = true;
    this.wake?.cancel();
    this.wake = undefined;
    this.probes.stopAll();
    await this.loopDone;
  }

  /** entry is the status report for this pod, or undefined when there is nothing to tell the server. */
  entry(): PodStatusEntry | undefined {
    const deleting = Boolean(this.pod.metadata.deletionTimestamp);
    if (!this.status || this.quiet || (this.removed && !deleting)) return undefined;
    const e: PodStatusEntry = { namespace: this.pod.metadata.namespace ?? 'default', name: this.pod.metadata.name ?? '', uid: this.uid, status: this.status };
    if (deleting && (this.phase === 'terminated' || this.phase === 'cleanedUp')) e.terminated = true;
    return e;
  }

  private async loop(): Promise<void> {
    for (;;) {
      if (!this.dirty || this.halted) {
        this.looping = false;
        return;
      }
      this.dirty = false;
      try {
        await this.step();
      } catch (err) {
        this.env.log(`pod ${this.key()}: sync failed`, err);
      }
      this.env.changed(this);
    }
  }

  // step runs the state machine of the header comment until it settles.
  private async step(): Promise<void> {
    await this.containers.sync();
    const leaving = () => this.removed || Boolean(this.pod.metadata.deletionTimestamp);
    for (;;) {
      switch (this.phase) {
        case 'syncing':
          // A finished pod (also one adopted after an agent restart) is never started again.
          if (!leaving() && !this.finished()) {
            await this.syncPod();
            this.computeStatus();
            if (!this.finished()) return;
          }
          this.phase = 'terminating';
          break;
        case 'terminating':
          await this.terminate();
          this.phase = 'terminated';
          this.computeStatus();
          break;
        case 'terminated':
          if (!leaving()) return;
          await this.cleanup();
          this.phase = 'cleanedUp';
          break;
        case 'cleanedUp':
          return;
      }
    }
  }

  private finished(): boolean {
    if (!this.status) this.computeStatus();
    const phase = this.status?.phase;
    return phase === 'Succeeded' || phase === 'Failed';
  }

  private rec(name: string): Rec {
    let r = this.recs.get(name);
    if (!r) {
      r = newRec();
      this.recs.set(name, r);
    }
    return r;
  }

  // ---- syncing ----

  private async syncPod(): Promise<void> {
    for (const r of this.recs.values()) r.waiting = undefined;
    this.startTime ??= rfc3339(this.env.clock.now());
    await this.stopStrays();
    await this.processKills();
    const vol = await this.volumes.setup(this.projectionContext());
    if (!vol.ok) {
      this.events.warnOnce('FailedMount', vol.message);
      return;
    }
    const infra = await this.ensureSandbox();
    if (!infra) return;
    if (!(await this.syncInit(infra))) return;
    await this.syncApps(infra);
  }

  private projectionContext() {
    return { pod: this.pod, lookup: this.env.lookup(), nodeName: this.env.nodeName, hostIP: this.env.nodeIP, podIP: this.podIP };
  }

  // stopStrays stops and removes what doesn't belong: containers of names no longer in the spec,
  // and running containers that are not the latest attempt of their name (a duplicate start).
  private async stopStrays(): Promise<void> {
    const names = new Set([...(this.pod.spec.initContainers ?? []), ...this.pod.spec.containers].map((c) => c.name));
    const infras = this.containers.infras();
    for (const c of this.containers.all()) {
      const role = c.labels[LABELS.role];
      const name = c.labels[LABELS.container];
      const stray = role === 'infra' ? c !== infras[0] && isRunning(c) : !names.has(name) || (isRunning(c) && c !== this.containers.attempts(name)[0]);
      if (!stray) continue;
      await this.containers.stop(c, role === 'infra' ? INFRA_GRACE_SECONDS : graceSeconds(this.pod));
      await this.containers.remove(c.id);
    }
  }

  private async processKills(): Promise<void> {
    for (const [id, kind] of [...this.kills]) {
      this.kills.delete(id);
      const c = this.containers.all().find((x) => x.id === id);
      if (!c || !isRunning(c)) continue;
      const name = c.labels[LABELS.container];
      const spec = this.pod.spec.containers.find((x) => x.name === name);
      const probe = kind === 'startup' ? spec?.startupProbe : spec?.livenessProbe;
      this.events.normal('Killing', `Container ${name} failed ${kind} probe, will be restarted`, name);
      this.probes.stop(name);
      await this.containers.stop(c, probe?.terminationGracePeriodSeconds ?? graceSeconds(this.pod));
    }
  }

  private async ensureSandbox(): Promise<ContainerInfo | undefined> {
    const hostNetwork = Boolean(this.pod.spec.hostNetwork);
    const [current] = this.containers.infras();
    if (current && isRunning(current)) {
      this.podIP = hostNetwork ? this.env.nodeIP : (current.ip ?? this.podIP);
      return current;
    }
    if (current) await this.resetSandbox();
    const attempt = current ? attemptOf(current) + 1 : 0;
    let id: string | undefined;
    try {
      const image = await this.env.pauseImage();
      if (!(await this.env.runtime.image(image))) await this.env.runtime.pull(image, undefined);
      const spec = infraSpec(this.pod, attempt, { image, network: this.env.network, clusterDNS: this.env.clusterDNS, clusterDomain: this.env.clusterDomain });
      id = await this.containers.create(spec);
      await this.containers.start(id);
      const info = await this.containers.refresh(id);
      if (!isRunning(info)) throw new Error(info?.state.error ?? 'the infra container stopped at once');
      this.podIP = hostNetwork ? this.env.nodeIP : info?.ip;
      return info;
    } catch (err) {
      this.events.warnOnce('FailedCreatePodSandBox', `Failed to create pod sandbox: ${errText(err)}`);
      if (id) await this.containers.remove(id);
      return undefined;
    }
  }

  // resetSandbox: the infra container died, and with it the pod's network. Every container is
  // stopped (restarted at once after the new sandbox, without back-off); init containers run again.
  private async resetSandbox(): Promise<void> {
    this.events.normal('SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
    const now = this.env.clock.now();
    for (const c of this.containers.all()) {
      const role = c.labels[LABELS.role];
      if (isRunning(c)) await this.containers.stop(c, role === 'infra' ? INFRA_GRACE_SECONDS : graceSeconds(this.pod));
      if (role === 'infra' || role === 'init') {
        await this.containers.remove(c.id);
      } else {
        const name = c.labels[LABELS.container];
        if (c === this.containers.attempts(name)[0]) this.rec(name).crash.forgive(c.id, now);
      }
    }
  }

  // syncInit runs init containers one at a time, in order; true once all have exited 0.
  private async syncInit(infra: ContainerInfo): Promise<boolean> {
    const never = (this.pod.spec.restartPolicy ?? 'Always') === 'Never';
    for (const c of this.pod.spec.initContainers ?? []) {
      const latest = this.containers.attempts(c.name)[0];
      if (isRunning(latest)) return false;
      if (latest?.state.status === 'exited' && latest.state.exitCode === 0) continue;
      if (latest?.state.status === 'unknown') return false;
      if (!latest) {
        await this.startContainer(c, 'init', 0, infra);
      } else if (!never && this.backoffDone(c, latest)) {
        await this.startContainer(c, 'init', attemptOf(latest) + 1, infra);
      }
      return false;
    }
    return true;
  }

  private async syncApps(infra: ContainerInfo): Promise<void> {
    const policy = this.pod.spec.restartPolicy ?? 'Always';
    for (const c of this.pod.spec.containers) {
      const rec = this.rec(c.name);
      let latest = this.containers.attempts(c.name)[0];
      if (isRunning(latest) && latest.labels[LABELS.hash] !== containerHash(c)) {
        this.events.normal('Killing', `Container ${c.name} definition changed, will be restarted`, c.name);
        this.probes.stop(c.name);
        await this.containers.stop(latest, graceSeconds(this.pod));
        rec.crash.forgive(latest.id, this.env.clock.now());
        latest = this.containers.attempts(c.name)[0];
      }
      if (isRunning(latest)) {
        this.probes.ensure(c, latest.id, this.podIP ?? '');
        continue;
      }
      if (latest?.state.status === 'unknown') continue;
      this.probes.stop(c.name);
      if (!latest) {
        await this.startContainer(c, 'app', 0, infra);
        continue;
      }
      const exit = latest.state.exitCode ?? (latest.state.status === 'created' ? 128 : 0);
      const restart = policy === 'Always' || (policy === 'OnFailure' && exit !== 0);
      if (restart && this.backoffDone(c, latest)) await this.startContainer(c, 'app', attemptOf(latest) + 1, infra);
    }
  }

  // backoffDone decides whether a stopped container may be restarted now (see backoff.ts).
  private backoffDone(c: Container, latest: ContainerInfo): boolean {
    const rec = this.rec(c.name);
    const now = this.env.clock.now();
    const startedAt = rec.started?.id === latest.id ? rec.started.at : parseTime(latest.state.startedAt);
    const v = rec.crash.check(latest.id, startedAt, now);
    if (v.go) return true;
    if (v.fresh) this.events.warning('BackOff', `Back-off restarting failed container ${c.name} in pod ${this.podRef()}`, c.name);
    rec.waiting = { reason: 'CrashLoopBackOff', message: `back-off ${seconds(v.waitMs)} restarting failed container=${c.name} pod=${this.podRef()}` };
    this.wakeAt(v.until);
    return false;
  }

  private async startContainer(c: Container, role: 'init' | 'app', attempt: number, infra: ContainerInfo): Promise<void> {
    const rec = this.rec(c.name);
    if (!(await this.pullImage(c, rec))) return;
    const env = resolveEnv({ pod: this.pod, container: c, lookup: this.env.lookup(), nodeName: this.env.nodeName, hostIP: this.env.nodeIP, podIP: this.podIP });
    const mounts = env.ok ? await this.volumes.mounts(c) : env;
    if (!env.ok || !mounts.ok) {
      const message = env.ok ? (mounts.ok ? '' : mounts.message) : env.message;
      rec.waiting = { reason: 'CreateContainerConfigError', message };
      this.events.warnOnce('Failed', `Error: ${message}`, c.name);
      return;
    }
    const spec = appSpec(this.pod, c, { role, attempt, infraId: infra.id, env: env.value, mounts: mounts.value });
    let id: string;
    try {
      id = await this.containers.create(spec);
    } catch (err) {
      rec.waiting = { reason: 'CreateContainerError', message: errText(err) };
      this.events.warnOnce('Failed', `Error: ${errText(err)}`, c.name);
      return;
    }
    this.events.normal('Created', `Created container ${c.name}`, c.name);
    for (const old of this.containers.attempts(c.name).filter((x) => attemptOf(x) < attempt - 1)) await this.containers.remove(old.id);
    rec.started = { id, at: this.env.clock.now() };
    try {
      await this.containers.start(id);
      this.events.normal('Started', `Started container ${c.name}`, c.name);
    } catch (err) {
      rec.waiting = { reason: 'RunContainerError', message: errText(err) };
      this.events.warning('Failed', `Error: ${errText(err)}`, c.name);
    }
    await this.containers.refresh(id);
  }

  // pullImage makes the container's image present, or sets why it waits (see backoff.ts).
  private async pullImage(c: Container, rec: Rec): Promise<boolean> {
    const blocked = rec.pull.blocked(c.image, this.env.clock.now());
    if (blocked) {
      rec.waiting = { reason: blocked.reason, message: blocked.message };
      this.wakeAt(blocked.until);
      return false;
    }
    const events = {
      normal: (reason: string, message: string) => this.events.normal(reason, message, c.name),
      warning: (reason: string, message: string) => this.events.warning(reason, message, c.name),
    };
    const auth = pullAuth(this.pod, c.image, this.env.lookup());
    const out = await ensureImage(this.env.runtime, c.image, pullPolicy(c), auth, this.env.platform, events, () => this.env.clock.now());
    if (out.ok) {
      rec.pull.succeeded();
      return true;
    }
    const wait = rec.pull.failed(out.reason, out.message, this.env.clock.now());
    rec.waiting = { reason: wait.reason, message: wait.message };
    if (out.reason === 'ErrImagePull') this.events.normal('BackOff', `Back-off pulling image "${c.image}"`, c.name);
    this.wakeAt(wait.until);
    return false;
  }

  // ---- terminating and cleaning up ----

  private async terminate(): Promise<void> {
    this.wake?.cancel();
    this.wake = undefined;
    this.probes.stopAll();
    for (const r of this.recs.values()) r.waiting = undefined;
    const grace = this.quiet ? this.orphanGrace() : graceSeconds(this.pod);
    const running = this.containers.all().filter((c) => isRunning(c) && c.labels[LABELS.role] !== 'infra');
    await Promise.all(
      running.map((c) => {
        this.events.normal('Killing', `Stopping container ${c.labels[LABELS.container]}`, c.labels[LABELS.container]);
        return this.containers.stop(c, grace);
      }),
    );
    for (const c of this.containers.infras()) if (isRunning(c)) await this.containers.stop(c, INFRA_GRACE_SECONDS);
  }

  private orphanGrace(): number {
    const label = this.containers.infras()[0]?.labels[GRACE_LABEL];
    return label && /^\d+$/.test(label) ? Number(label) : graceSeconds(this.pod);
  }

  private async cleanup(): Promise<void> {
    for (const c of this.containers.all()) await this.containers.remove(c.id);
    await this.volumes.remove();
  }

  // ---- status ----

  private computeStatus(): void {
    const prefix = this.env.idPrefix();
    const facts = (c: Container, defaultWaiting: string) => {
      const [latest, previous] = this.containers.attempts(c.name);
      const waiting = this.rec(c.name).waiting ?? (latest ? undefined : { reason: defaultWaiting });
      return { name: c.name, image: c.image, latest, previous, waiting, idPrefix: prefix, ...this.probes.flags(c, latest?.id) };
    };
    const init: ContainerStatusView[] = (this.pod.spec.initContainers ?? []).map((c) => {
      const s = containerStatus({ ...facts(c, 'PodInitializing'), ready: false, started: false });
      if ('terminated' in s.state && s.state.terminated.exitCode === 0) s.ready = true;
      return s;
    });
    const initialized = init.every((s) => 'terminated' in s.state && s.state.terminated.exitCode === 0);
    const app = this.pod.spec.containers.map((c) => containerStatus(facts(c, initialized ? 'ContainerCreating' : 'PodInitializing')));
    const stopped = this.phase !== 'syncing' && (this.removed || Boolean(this.pod.metadata.deletionTimestamp));
    this.status = podStatus({
      pod: this.pod,
      hostIP: this.env.nodeIP,
      podIP: this.podIP,
      sandboxReady: isRunning(this.containers.infras()[0]),
      startTime: this.startTime,
      init,
      app,
      now: this.env.clock.now(),
      previous: this.status ?? this.pod.status,
      stopped,
    });
  }

  // ---- small helpers ----

  private wakeAt(at: number): void {
    if (this.wake && this.wake.at <= at) return;
    this.wake?.cancel();
    const timer = this.env.delay(Math.max(0, at - this.env.clock.now()), () => {
      this.wake = undefined;
      this.request();
    });
    this.wake = { at, cancel: () => timer.cancel() };
  }

  private key(): string {
    return `${this.pod.metadata.namespace ?? 'default'}/${this.pod.metadata.name}`;
  }

  private podRef(): string {
    return `${this.pod.metadata.name}_${this.pod.metadata.namespace ?? 'default'}(${this.uid})`;
  }
}
