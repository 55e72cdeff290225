// pod-containers: one worker's view of its pod's containers in the runtime, and the calls that
// change them. The view is fed by inspects (after each change, on runtime events) and by the
// manager's periodic list; a list is taken only if nothing changed since it was asked for
// (`mark`), so a slow list never hides a container the worker just created.
import { type ContainerInfo, type ContainerRuntime, type ContainerSpec, LABELS } from '../runtime/runtime.js';
import { attemptOf } from './status.js';

const byAttemptDesc = (a: ContainerInfo, b: ContainerInfo) => attemptOf(b) - attemptOf(a);

export const isRunning = (c: ContainerInfo | undefined): boolean => c?.state.status === 'running';

export class PodContainers {
  private readonly seen = new Map<string, ContainerInfo>();
  private readonly stale = new Set<string>();
  private offered?: { infos: ContainerInfo[]; mark: number };
  private mutations = 0;

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly uid: string,
    private readonly log: (msg: string, err?: unknown) => void,
  ) {}

  /** adopt takes containers from a runtime list; list entries lack times and exit details, so each is inspected at the next sync. */
  adopt(infos: ContainerInfo[]): void {
    for (const c of infos) {
      this.seen.set(c.id, c);
      this.stale.add(c.id);
    }
  }

  /** mark counts changes made; a list taken after reading it is current while it stays the same. */
  get mark(): number {
    return this.mutations;
  }

  owns(id: string): boolean {
    return this.seen.has(id);
  }

  /** note: the runtime reported a change of this container; it is inspected at the next sync. */
  note(id: string): void {
    this.stale.add(id);
  }

  /** offer hands over this pod's containers from a runtime list taken when mark was read. */
  offer(infos: ContainerInfo[], mark: number): void {
    this.offered = { infos, mark };
  }

  /** sync brings the view up to date (called at the start of each worker sync). */
  async sync(): Promise<void> {
    const list = this.offered;
    this.offered = undefined;
    if (list && list.mark === this.mutations) {
      const listed = new Set<string>();
      for (const info of list.infos) {
        listed.add(info.id);
        if (this.seen.get(info.id)?.state.status !== info.state.status) this.stale.add(info.id);
      }
      for (const id of [...this.seen.keys()]) if (!listed.has(id)) this.seen.delete(id);
    }
    const ids = [...this.stale];
    this.stale.clear();
    for (const id of ids) await this.refresh(id);
  }

  all(): ContainerInfo[] {
    return [...this.seen.values()];
  }

  /** attempts lists the init/app containers of one name, newest attempt first. */
  attempts(name: string): ContainerInfo[] {
    return this.all()
      .filter((c) => c.labels[LABELS.container] === name && c.labels[LABELS.role] !== 'infra')
      .sort(byAttemptDesc);
  }

  /** infras lists the pod's infra containers, newest first. */
  infras(): ContainerInfo[] {
    return this.all()
      .filter((c) => c.labels[LABELS.role] === 'infra')
      .sort(byAttemptDesc);
  }

  async refresh(id: string): Promise<ContainerInfo | undefined> {
    const info = await this.runtime.inspect(id);
    if (info && info.labels[LABELS.podUid] === this.uid) this.seen.set(id, info);
    else this.seen.delete(id);
    return info;
  }

  /** create makes a container and records it at once, so its exit event (which may come before start() returns) finds its pod. */
  async create(spec: ContainerSpec): Promise<string> {
    const id = await this.mutate(() => this.runtime.create(spec));
    this.seen.set(id, { id, name: spec.name, image: spec.image, labels: spec.labels, state: { status: 'created' } });
    return id;
  }

  async start(id: string): Promise<void> {
    await this.mutate(() => this.runtime.start(id));
  }

  /** stop sends SIGTERM and waits up to grace seconds; failures are logged, the view refreshed. */
  async stop(c: ContainerInfo, grace: number): Promise<void> {
    try {
      await this.mutate(() => this.runtime.stop(c.id, grace));
    } catch (err) {
      this.log(`stopping ${c.name}`, err);
    }
    await this.refresh(c.id);
  }

  async remove(id: string): Promise<void> {
    try {
      await this.mutate(() => this.runtime.remove(id));
      this.seen.delete(id);
    } catch (err) {
      if (await this.refresh(id).catch(() => undefined)) this.log(`removing ${id}`, err);
    }
  }

  private async mutate<T>(fn: () => Promise<T>): Promise<T> {
    this.mutations++;
    try {
      return await fn();
    } finally {
      this.mutations++;
    }
  }
}
