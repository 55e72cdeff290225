// upstream: asks the node's own resolvers about names outside the cluster zone. A query goes out
// as the client's own bytes (id, flags, EDNS and all), so the upstream sizes its reply for that
// client and the reply can be relayed untouched, the client's id included.
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { FrameReader, frame } from './framing.js';
import { isIPv4 } from './names.js';

export interface Upstream {
  host: string;
  port: number;
}

export type Transport = 'udp' | 'tcp';

// parseUpstream reads "ip" or "ip:port" (IPv4; port 53 by default), or undefined.
export function parseUpstream(text: string): Upstream | undefined {
  const m = /^([\d.]+)(?::(\d{1,5}))?$/.exec(text.trim());
  if (!m || !isIPv4(m[1])) return undefined;
  const port = m[2] ? Number(m[2]) : 53;
  return port >= 1 && port <= 65535 ? { host: m[1], port } : undefined;
}

// isReplyTo guards against stray or spoofed datagrams: only a decodable response carrying the
// query's id counts as the answer.
function isReplyTo(message: Buffer, id: number): boolean {
  try {
    const p = dnsPacket.decode(message);
    return p.type === 'response' && p.id === id;
  } catch {
    return false;
  }
}

export class Forwarder {
  private readonly inFlight = new Set<() => void>(); // cancels of open exchanges, for close()
  private closed = false;

  constructor(
    private readonly upstreams: Upstream[],
    private readonly timeoutMs: number,
  ) {}

  // forward tries the upstreams in order, moving on when one fails or stays silent past the
  // timeout; undefined when none answered (the caller replies SERVFAIL).
  async forward(query: Buffer, id: number, transport: Transport): Promise<Buffer | undefined> {
    for (const u of this.upstreams) {
      if (this.closed) return undefined;
      const reply = await (transport === 'udp' ? this.udp(u, query, id) : this.tcp(u, query, id));
      if (reply) return reply;
    }
    return undefined;
  }

  close(): void {
    this.closed = true;
    for (const cancel of [...this.inFlight]) cancel();
  }

  // udp uses a fresh socket per query: a random source port the upstream's reply must match,
  // and connect() makes the kernel drop datagrams from anyone else.
  private udp(u: Upstream, query: Buffer, id: number): Promise<Buffer | undefined> {
    return this.exchange((settle) => {
      const socket = dgram.createSocket('udp4');
      socket.on('error', () => settle(undefined)); // e.g. ECONNREFUSED: try the next one now
      socket.on('message', (m) => isReplyTo(m, id) && settle(m));
      socket.connect(u.port, u.host, () => {
        try {
          socket.send(query, (err) => err && settle(undefined));
        } catch {
          settle(undefined); // closed meanwhile (timeout or close())
        }
      });
      return () => {
        try {
          socket.close();
        } catch {} // already closed
      };
    });
  }

  private tcp(u: Upstream, query: Buffer, id: number): Promise<Buffer | undefined> {
    return this.exchange((settle) => {
      const socket = net.connect({ host: u.host, port: u.port });
      const reader = new FrameReader();
      socket.on('connect', () => socket.write(frame(query)));
      socket.on('data', (chunk) => {
        for (const m of reader.push(chunk)) if (isReplyTo(m, id)) settle(m);
      });
      socket.on('error', () => settle(undefined));
      socket.on('close', () => settle(undefined));
      return () => socket.destroy();
    });
  }

  // exchange runs one attempt under the timeout; open starts it and returns its cleanup, which
  // runs exactly once whichever of reply, failure, timeout or close() comes first.
  private exchange(open: (settle: (reply: Buffer | undefined) => void) => () => void): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      let cleanup = () => {};
      const settle = (reply: Buffer | undefined) => {
        if (!this.inFlight.delete(cancel)) return;
        clearTimeout(timer);
        cleanup();
        resolve(reply);
      };
      const cancel = () => settle(undefined);
      this.inFlight.add(cancel);
      const timer = setTimeout(cancel, this.timeoutMs);
      cleanup = open(settle);
    });
  }
}
