// pod-probes: the probes of one pod's running app containers. A startup probe gates the others;
// readiness sets the ready flag; a liveness (or startup) probe that fails for good asks the worker
// to kill the container, which it does in its own loop. Probes of a container that stopped, or
// was replaced by a new attempt, are stopped.
import type { Container } from '../../shared/api/core.js';
import { type Prober, ProbeLoop, type ProbeKind, type ProbeResult } from './probes.js';
import type { Delay } from './timing.js';

export interface ProbeHooks {
  /** kill: a liveness or startup probe failed for good: restart the container. */
  kill(containerId: string, kind: ProbeKind): void;
  /** unhealthy: a probe reached its failure threshold (for an Unhealthy event). */
  unhealthy(container: string, kind: ProbeKind, message: string | undefined): void;
  /** changed: ready or started flipped, or a kill was asked for. */
  changed(): void;
}

interface ProbeSet {
  id: string;
  loops: ProbeLoop[];
  started: boolean;
  ready: boolean;
}

export class PodProbes {
  private readonly sets = new Map<string, ProbeSet>();

  constructor(
    private readonly prober: Prober,
    private readonly delay: Delay,
    private readonly hooks: ProbeHooks,
  ) {}

  /** ensure runs the probes of container c, running as containerId (once per container id). */
  ensure(c: Container, containerId: string, podIP: string): void {
    if (this.sets.get(c.name)?.id === containerId) return;
    this.stop(c.name);
    const set: ProbeSet = { id: containerId, loops: [], started: !c.startupProbe, ready: !c.readinessProbe };
    this.sets.set(c.name, set);
    if (c.startupProbe) this.start(set, c, 'startup', podIP);
    else this.startMain(set, c, podIP);
  }

  stop(name: string): void {
    for (const l of this.sets.get(name)?.loops ?? []) l.stop();
    this.sets.delete(name);
  }

  stopAll(): void {
    for (const name of [...this.sets.keys()]) this.stop(name);
  }

  /** flags: ready and started of container c running as id; without probes both follow running. */
  flags(c: Container, id: string | undefined): { ready: boolean; started: boolean } {
    const set = this.sets.get(c.name);
    if (set && set.id === id) return { ready: set.ready, started: set.started };
    return { ready: !c.readinessProbe, started: !c.startupProbe };
  }

  private startMain(set: ProbeSet, c: Container, podIP: string): void {
    if (c.livenessProbe) this.start(set, c, 'liveness', podIP);
    if (c.readinessProbe) this.start(set, c, 'readiness', podIP);
  }

  private start(set: ProbeSet, c: Container, kind: ProbeKind, podIP: string): void {
    const probe = kind === 'startup' ? c.startupProbe : kind === 'liveness' ? c.livenessProbe : c.readinessProbe;
    const target = { podIP, containerId: set.id, container: c };
    const loop = new ProbeLoop(kind, probe, target, this.prober, this.delay, (k, result, message) => this.turned(set, c, k, result, message, podIP));
    set.loops.push(loop);
    loop.start();
  }

  private turned(set: ProbeSet, c: Container, kind: ProbeKind, result: ProbeResult, message: string | undefined, podIP: string): void {
    if (this.sets.get(c.name) !== set) return;
    if (result === 'failure') this.hooks.unhealthy(c.name, kind, message);
    switch (kind) {
      case 'startup':
        if (result === 'success') {
          set.started = true;
          for (const l of set.loops.splice(0)) l.stop();
          this.startMain(set, c, podIP);
        } else if (result === 'failure') this.hooks.kill(set.id, kind);
        break;
      case 'liveness':
        if (result === 'failure') this.hooks.kill(set.id, kind);
        break;
      case 'readiness':
        set.ready = result === 'success';
        break;
    }
    this.hooks.changed();
  }
}
