// link-quality: how long to wait for a node's next heartbeat before calling it NotReady — short on
// a steady link (a power cut is noticed within the base grace, 3 s), long on a link that loses
// packets or jitters (so 20 % loss does not flap the node).
//
// Why heartbeats are late on a bad link: they travel over the agent's TCP connection, so a lost
// packet is retransmitted after the retransmission timeout, which doubles on each further loss
// (0.2 s, 0.4 s, 0.8 s, …). With 20 % loss, three losses in a row (0.8 % of packets) delay a
// heartbeat by ≈ 3 s and four (0.16 %) by ≈ 6 s: a fixed 3 s grace would flap a few times an hour.
//
// How the server tells the links apart: each heartbeat carries the agent's send time. Its
// delivery delay is receive time − send time − the smallest such difference seen lately (that
// minimum absorbs the clock offset between agent and server). The delay's mean and deviation are
// tracked as TCP tracks round trips (RFC 6298: α = 1/8, β = 1/4). A link whose delay varies by
// a few milliseconds keeps the base grace; otherwise the grace grows by
// RETRANSMITS × (mean + 4 × deviation) — room for that many back-to-back retransmissions —
// up to maxMs. When the link calms down the grace shrinks slowly (a 2-minute half-life), so a
// link that is bad in bursts is not judged by its last quiet minute.
export interface LinkQualityOptions {
  baseMs: number;
  maxMs: number;
}

/** RETRANSMITS: the span of back-to-back TCP retransmissions (1 + 2 + 4 + 8 RTOs) a grace rides out. */
export const RETRANSMITS = 15;
/** STEADY_MS: below this much extra, the base grace stands (LAN and good Wi-Fi jitter). */
export const STEADY_MS = 500;
const WINDOW = 60; // heartbeats over which the clock-offset minimum is taken (a minute at 1 s)
const HALF_LIFE_MS = 120_000;

export class LinkQuality {
  private offsets: number[] = [];
  private srtt: number | undefined;
  private rttvar = 0;
  private held: number;
  private heldAt = 0;

  constructor(private readonly o: LinkQualityOptions) {
    this.held = o.baseMs;
  }

  /** sample takes one heartbeat: received at recvMs (server clock), sent at sentMs (agent clock). */
  sample(recvMs: number, sentMs: number): void {
    if (!Number.isFinite(sentMs)) return;
    this.offsets.push(recvMs - sentMs);
    if (this.offsets.length > WINDOW) this.offsets.shift();
    const delay = recvMs - sentMs - Math.min(...this.offsets);
    if (this.srtt === undefined) {
      this.srtt = delay;
      this.rttvar = delay / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - delay);
      this.srtt = 0.875 * this.srtt + 0.125 * delay;
    }
    const wanted = this.wanted();
    const decayed = this.decayed(recvMs);
    this.held = Math.max(wanted, decayed);
    this.heldAt = recvMs;
  }

  /** graceMs is the grace for this node now. */
  graceMs(now: number): number {
    return Math.max(this.wanted(), this.decayed(now));
  }

  private wanted(): number {
    if (this.srtt === undefined) return this.o.baseMs;
    const extra = RETRANSMITS * (this.srtt + 4 * this.rttvar);
    return extra < STEADY_MS ? this.o.baseMs : Math.min(this.o.maxMs, this.o.baseMs + extra);
  }

  // decayed: the held grace, its excess over the base halved every HALF_LIFE_MS since it was set.
  private decayed(now: number): number {
    const excess = this.held - this.o.baseMs;
    if (excess <= 0) return this.o.baseMs;
    return this.o.baseMs + excess * 0.5 ** (Math.max(0, now - this.heldAt) / HALF_LIFE_MS);
  }
}
