// pod-events: the Events a pod worker sends about its pod (Pulling, Created, BackOff, Killing …),
// each naming the container by fieldPath as the kubelet does. Warnings a failing sync would repeat
// on every resync (a missing volume source, a sandbox that won't start) go out once a minute.
import type { Pod } from '../../shared/api/core.js';
import type { Clock } from '../../shared/clock.js';
import type { EventEntry } from '../../shared/mqtt/payloads.js';

const REPEAT_WARNING_MS = 60_000;
const MAX_REMEMBERED = 32;

export class PodEvents {
  private readonly warned = new Map<string, number>();

  constructor(
    private readonly pod: () => Pod,
    private readonly sink: (e: EventEntry) => void,
    private readonly clock: Clock,
    /** quiet: send nothing (an orphan's pod no longer exists on the server). */
    private readonly quiet: boolean,
  ) {}

  normal(reason: string, message: string, container?: string): void {
    this.send('Normal', reason, message, container);
  }

  warning(reason: string, message: string, container?: string): void {
    this.send('Warning', reason, message, container);
  }

  /** warnOnce sends a warning unless the same one went out less than a minute ago. */
  warnOnce(reason: string, message: string, container?: string): void {
    const key = `${reason}\n${message}\n${container ?? ''}`;
    const now = this.clock.now();
    const last = this.warned.get(key);
    if (last !== undefined && now - last < REPEAT_WARNING_MS) return;
    if (this.warned.size >= MAX_REMEMBERED) this.warned.clear();
    this.warned.set(key, now);
    this.warning(reason, message, container);
  }

  private send(type: EventEntry['type'], reason: string, message: string, container?: string): void {
    if (this.quiet) return;
    const pod = this.pod();
    const ns = pod.metadata.namespace ?? 'default';
    const involvedObject: EventEntry['involvedObject'] = { kind: 'Pod', apiVersion: 'v1', name: pod.metadata.name ?? '', namespace: ns, uid: pod.metadata.uid ?? '' };
    if (container) {
      const init = pod.spec.initContainers?.some((c) => c.name === container);
      involvedObject.fieldPath = `spec.${init ? 'initContainers' : 'containers'}{${container}}`;
    }
    this.sink({ namespace: ns, involvedObject, type, reason, message });
  }
}
