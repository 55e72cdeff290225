// dynsec: commands to Mosquitto's dynamic security plugin, over the Bus. A command set is one JSON
// message {"commands":[…]} on $CONTROL/dynamic-security/v1; the plugin runs the commands in
// order and answers {"responses":[…]} on …/v1/response, each echoing the command's
// correlationData. Every session subscribed to the response topic (any admin) sees every answer,
// so ours carry a random per-process prefix. Reference: https://mosquitto.org/documentation/dynamic-security/
import { randomBytes } from 'node:crypto';
import type { Bus } from './bus.js';

export const DYNSEC_TOPIC = '$CONTROL/dynamic-security/v1';
export const DYNSEC_RESPONSE_TOPIC = `${DYNSEC_TOPIC}/response`;

export interface DynsecCommand {
  command: string;
  [key: string]: unknown;
}

export interface DynsecResponse {
  command: string;
  /** error: the plugin's message, e.g. "Client not found", "Role already exists". */
  error?: string;
  data?: any;
  correlationData?: string;
}

export class DynsecError extends Error {
  constructor(
    readonly command: string,
    readonly error: string,
  ) {
    super(`MQTT broker: dynamic-security ${command} failed: ${error}`);
  }
}

export class DynsecTimeout extends Error {}

export interface Acl {
  acltype: 'publishClientSend' | 'publishClientReceive' | 'subscribeLiteral' | 'subscribePattern' | 'unsubscribeLiteral' | 'unsubscribePattern';
  topic: string;
  allow: boolean;
  priority?: number;
}

export class Dynsec {
  private readonly prefix = randomBytes(6).toString('hex');
  private seq = 0;
  private readonly pending = new Map<string, { resolve: (r: DynsecResponse) => void; reject: (err: Error) => void }>();
  private unsubscribe?: () => Promise<void>;

  private constructor(
    private readonly bus: Bus,
    private readonly timeoutMs: number,
  ) {}

  /** open subscribes to the plugin's answers. */
  static async open(bus: Bus, opts: { timeoutMs?: number } = {}): Promise<Dynsec> {
    const d = new Dynsec(bus, opts.timeoutMs ?? 10_000);
    d.unsubscribe = await bus.subscribe(DYNSEC_RESPONSE_TOPIC, (_topic, payload) => d.onResponse(payload));
    return d;
  }

  /** run sends the commands as one set and resolves to their responses, in order; errors are in the responses. */
  async run(commands: DynsecCommand[], timeoutMs = this.timeoutMs): Promise<DynsecResponse[]> {
    const ids = commands.map(() => `${this.prefix}-${++this.seq}`);
    const answers = ids.map(
      (id) =>
        new Promise<DynsecResponse>((resolve, reject) => {
          this.pending.set(id, { resolve, reject });
        }),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new DynsecTimeout(
            `the MQTT broker did not answer the dynamic-security command ${commands.map((c) => c.command).join(', ')} within ${timeoutMs / 1000}s ` +
              '(is mosquitto_dynamic_security loaded, and may the server\'s account use $CONTROL/dynamic-security/#?)',
          ),
        );
      }, timeoutMs);
    });
    try {
      await this.bus.publish(DYNSEC_TOPIC, JSON.stringify({ commands: commands.map((c, i) => ({ ...c, correlationData: ids[i] })) }), { qos: 1 });
      return await Promise.race([Promise.all(answers), timeout]);
    } finally {
      clearTimeout(timer);
      for (const id of ids) this.pending.delete(id);
    }
  }

  /** one runs a single command; an error other than one of `tolerated` throws a DynsecError. */
  async one(command: DynsecCommand, tolerated: string[] = [], timeoutMs = this.timeoutMs): Promise<DynsecResponse> {
    const [r] = await this.run([command], timeoutMs);
    check(r, tolerated);
    return r;
  }

  async close(): Promise<void> {
    for (const p of this.pending.values()) p.reject(new Error('closed'));
    this.pending.clear();
    await this.unsubscribe?.();
  }

  private onResponse(payload: Buffer): void {
    let body: { responses?: DynsecResponse[] };
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    for (const r of Array.isArray(body?.responses) ? body.responses : []) {
      const p = typeof r?.correlationData === 'string' ? this.pending.get(r.correlationData) : undefined;
      if (!p) continue;
      this.pending.delete(r.correlationData!);
      p.resolve(r);
    }
  }
}

/** check throws a DynsecError for a response with an error not in `tolerated`. */
export function check(r: DynsecResponse, tolerated: string[] = []): void {
  if (r.error && !tolerated.includes(r.error)) throw new DynsecError(r.command, r.error);
}
