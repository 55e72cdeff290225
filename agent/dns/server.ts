// server: the per-node cluster DNS server — UDP and TCP on one host:port, each query handed to
// handler.ts. Names in the cluster zone are answered from `records()` (the agent swaps in a new
// index as services and endpoints change); the rest go to the node's upstream resolvers.
import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from 'pino';
import { frame, FrameReader } from './framing.js';
import { handleQuery, type HandlerDeps } from './handler.js';
import type { ClusterRecords } from './records.js';
import { Forwarder, parseUpstream, type Upstream } from './upstream.js';

export interface DnsServerOptions {
  host: string;
  port: number; // 0: any free port, the same for UDP and TCP
  records: () => ClusterRecords;
  upstreams: string[]; // "ip" or "ip:port"
  logger?: Logger;
  upstreamTimeoutMs?: number; // per upstream attempt; default 2000
}

export interface DnsServer {
  port: number;
  close(): Promise<void>;
}

const DEFAULT_UPSTREAM_TIMEOUT_MS = 2000; // below glibc's 5 s per try, leaving room for a second upstream
const TCP_IDLE_MS = 10_000; // clients may keep a connection for several queries; idle ones are closed
const BIND_ATTEMPTS = 20; // port 0: tries at finding a port free for both UDP and TCP

export async function startDnsServer(o: DnsServerOptions): Promise<DnsServer> {
  const upstreams: Upstream[] = [];
  for (const text of o.upstreams) {
    const u = parseUpstream(text);
    if (u) upstreams.push(u);
    else o.logger?.warn({ upstream: text }, 'dns: ignoring an upstream that is not ip or ip:port');
  }
  const forwarder = new Forwarder(upstreams, o.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS);
  const deps: HandlerDeps = { records: o.records, forward: (q, id, t) => forwarder.forward(q, id, t), logger: o.logger };
  const { udp, tcp, port } = await bindBoth(o.host, o.port);
  const connections = new Set<net.Socket>();
  let closed = false;
  // Per-query problems are logged at debug only: a busy node must not flood its logs.
  const failed = (err: unknown) => o.logger?.debug({ err }, 'dns: query failed');

  udp.on('message', (msg, from) => {
    handleQuery(msg, 'udp', deps).then((out) => {
      if (out && !closed) udp.send(out, from.port, from.address, (err) => err && failed(err));
    }, failed);
  });
  udp.on('error', (err) => o.logger?.warn({ err }, 'dns: udp socket error'));

  tcp.on('connection', (socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    socket.on('error', failed); // a client resetting its connection is its own business
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    const reader = new FrameReader();
    socket.on('data', (chunk) => {
      for (const msg of reader.push(chunk)) {
        handleQuery(msg, 'tcp', deps).then((out) => {
          if (out && !socket.destroyed) socket.write(frame(out));
        }, failed);
      }
    });
  });
  tcp.on('error', (err) => o.logger?.warn({ err }, 'dns: tcp server error'));

  return {
    port,
    async close() {
      if (closed) return;
      closed = true;
      forwarder.close();
      for (const s of connections) s.destroy();
      await Promise.all([new Promise<void>((r) => tcp.close(() => r())), new Promise<void>((r) => udp.close(() => r()))]);
    },
  };
}

// bindBoth binds UDP first, then TCP on the port UDP got. With port 0 that port may be taken
// for TCP; then it starts over with another.
async function bindBoth(host: string, port: number): Promise<{ udp: dgram.Socket; tcp: net.Server; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const udp = await bindUdp(host, port);
    const actual = udp.address().port;
    try {
      return { udp, tcp: await listenTcp(host, actual), port: actual };
    } catch (err) {
      udp.close();
      if (port !== 0 || attempt >= BIND_ATTEMPTS || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
}

function bindUdp(host: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

function listenTcp(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
