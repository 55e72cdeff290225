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
// tracked as TCP tracks round trips (RFC 6298: α = 1/8, β = 1/4). The grace is the base plus
// whatever RETRANSMITS × (mean + 4 × deviation) — room for that many back-to-back retransmissions
// — exceeds STEADY_MS, up to maxMs: a link (or a busy server) whose delays vary by tens of
// milliseconds keeps the base grace. When the link calms down the grace shrinks slowly (a
// 2-minute half-life), so a link that is bad in bursts is not judged by its last quiet minute.
//
// On a link that has been steady, heartbeats later than the grace in force are not samples: they
// are what TCP held back during an outage (a cut cable) and delivers all at once when the link is
// back. They say nothing about the link's jitter, and counting them would give the node the
// longest grace right after an outage — the worst moment to be slow to notice the next one. On a
// link already seen to be lossy they do count: there a late heartbeat is a long TCP stall.
export interface LinkQualityOptions {
  baseMs: number;
  maxMs: number;
}

/** RETRANSMITS: the span of back-to-back TCP retransmissions (1 + 2 + 4 + 8 RTOs) a grace rides out. */
export const RETRANSMITS = 15;
/** STEADY_MS: this much of the extra is forgiven (LAN and Wi-Fi jitter, a busy server's event loop). */
export const STEADY_MS = 1_000;
const WINDOW = 60; // heartbeats over which the clock-offset minimum is taken (a minute at 1 s)
const HALF_LIFE_MS = 120_000;
const BURST_MS = 500; // heartbeats arriving this close after an outage's first one came with it

export class LinkQuality {
  private offsets: number[] = [];
  private srtt: number | undefined;
  private rttvar = 0;
  private held: number;
  private heldAt = 0;
  private burstUntil = Number.NEGATIVE_INFINITY;

  constructor(private readonly o: LinkQualityOptions) {
    this.held = o.baseMs;
  }

  /** sample takes one heartbeat: received at recvMs (server clock), sent at sentMs (agent clock). */
  sample(recvMs: number, sentMs: number): void {
    if (!Number.isFinite(sentMs)) return;
    this.offsets.push(recvMs - sentMs);
    if (this.offsets.length > WINDOW) this.offsets.shift();
    const delay = recvMs - sentMs - Math.min(...this.offsets);
    // Held back by an outage: this one, and the rest of the burst TCP delivers with it — but only
    // on a link that was steady so far. On one already known to be lossy, a heartbeat later than
    // the grace is the stall that grace was too short for, and the estimator must learn from it.
    const grace = this.graceMs(recvMs);
    const steady = grace <= this.o.baseMs;
    if (this.srtt !== undefined && steady && (delay > grace || recvMs <= this.burstUntil)) {
      this.burstUntil = recvMs + BURST_MS;
      return;
    }
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
    const extra = RETRANSMITS * (this.srtt + 4 * this.rttvar) - STEADY_MS;
    return extra <= 0 ? this.o.baseMs : Math.min(this.o.maxMs, this.o.baseMs + extra);
  }

  // decayed: the held grace, its excess over the base halved every HALF_LIFE_MS since it was set.
  private decayed(now: number): number {
    const excess = this.held - this.o.baseMs;
    if (excess <= 0) return this.o.baseMs;
    return this.o.baseMs + excess * 0.5 ** (Math.max(0, now - this.heldAt) / HALF_LIFE_MS);
  }
}
