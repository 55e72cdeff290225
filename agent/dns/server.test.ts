// Real sockets, loopback only: the server, its clients and its fake upstreams all sit on 127.0.0.1.
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type DecodedPacket, type Packet } from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import type { Endpoints, Service } from '../../shared/api/service.js';
import { FrameReader, frame } from './framing.js';
import { ClusterRecords } from './records.js';
import { type DnsServer, startDnsServer } from './server.js';

const HOST = '127.0.0.1';
type Reply = DecodedPacket & { rcode: string }; // dns-packet decodes rcode, its types omit it
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const svc = (name: string, spec: Service['spec']): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec });
const many: Endpoints = {
  apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'many', namespace: 'default' },
  subsets: [{ addresses: Array.from({ length: 60 }, (_, i) => ({ ip: `10.42.0.${i + 2}` })) }],
};
const records = new ClusterRecords({
  services: [
    svc('web', { clusterIP: '10.43.0.20', ports: [{ name: 'http', port: 80 }] }),
    svc('many', { clusterIP: 'None' }),
    svc('ext', { type: 'ExternalName', externalName: 'example.com' }),
  ],
  endpoints: [many],
});

async function start(o: { upstreams?: string[]; upstreamTimeoutMs?: number; records?: () => ClusterRecords } = {}): Promise<DnsServer> {
  const server = await startDnsServer({ host: HOST, port: 0, records: o.records ?? (() => records), upstreams: o.upstreams ?? [], upstreamTimeoutMs: o.upstreamTimeoutMs });
  cleanups.push(() => server.close());
  return server;
}

const query = (name: string, type: 'A' | 'AAAA' | 'SRV' = 'A', extra: Partial<Packet> = {}): Packet =>
  ({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }], ...extra });
const edns = (size: number) =>
  ({ additionals: [{ name: '.', type: 'OPT' as const, udpPayloadSize: size, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] });

// udp sends one datagram and waits for the reply, or resolves undefined after waitMs.
function udp(port: number, msg: Packet | Buffer, waitMs = 3000): Promise<Reply | undefined> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(undefined), waitMs);
    const done = (p: Reply | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(p);
    };
    socket.on('message', (m) => done(dnsPacket.decode(m) as Reply));
    socket.send(Buffer.isBuffer(msg) ? msg : dnsPacket.encode(msg), port, HOST);
  });
}

// tcp writes the given bytes (in the given pieces) and collects `expectCount` framed replies.
function tcp(port: number, pieces: Buffer[], expectCount = 1): Promise<Reply[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: HOST, port });
    const reader = new FrameReader();
    const got: Reply[] = [];
    socket.on('data', (chunk) => {
      for (const m of reader.push(chunk)) got.push(dnsPacket.decode(m) as Reply);
      if (got.length >= expectCount) {
        socket.destroy();
        resolve(got);
      }
    });
    socket.on('error', reject);
    socket.on('connect', async () => {
      for (const p of pieces) {
        socket.write(p);
        await new Promise((r) => setTimeout(r, 10));
      }
    });
  });
}
const tcpOne = async (port: number, p: Packet) => (await tcp(port, [frame(dnsPacket.encode(p))]))[0];

interface Seen { transport: 'udp' | 'tcp'; packet: DecodedPacket }

// fakeUpstream answers every A question with 192.0.2.1 on UDP and TCP of one loopback port
// (192.0.2.1 is record data only; no traffic goes there).
async function fakeUpstream(): Promise<{ address: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const answer = (q: DecodedPacket): Buffer => dnsPacket.encode({
    type: 'response', id: q.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: q.questions,
    answers: [{ name: q.questions![0].name, type: 'A', ttl: 60, class: 'IN', data: '192.0.2.1' }],
  });
  for (;;) {
    const u = dgram.createSocket('udp4');
    await new Promise<void>((r) => u.bind(0, HOST, r));
    const port = u.address().port;
    const t = net.createServer((socket) => {
      const reader = new FrameReader();
      socket.on('data', (c) => {
        for (const m of reader.push(c)) {
          const q = dnsPacket.decode(m);
          seen.push({ transport: 'tcp', packet: q });
          socket.write(frame(answer(q)));
        }
      });
      socket.on('error', () => {});
    });
    const ok = await new Promise<boolean>((r) => {
      t.once('error', () => r(false));
      t.listen(port, HOST, () => r(true));
    });
    if (!ok) {
      u.close();
      continue;
    }
    u.on('message', (m, from) => {
      const q = dnsPacket.decode(m);
      seen.push({ transport: 'udp', packet: q });
      u.send(answer(q), from.port, from.address);
    });
    cleanups.push(() => new Promise<void>((r) => t.close(() => u.close(() => r()))));
    return { address: `${HOST}:${port}`, seen };
  }
}

// silentUpstream receives queries and never answers, so the server's timeout is what ends them.
async function silentUpstream(): Promise<{ address: string; received: () => number }> {
  const u = dgram.createSocket('udp4');
  let n = 0;
  u.on('message', () => n++);
  await new Promise<void>((r) => u.bind(0, HOST, r));
  cleanups.push(() => new Promise<void>((r) => u.close(() => r())));
  return { address: `${HOST}:${u.address().port}`, received: () => n };
}

const ips = (p: DecodedPacket | undefined) => (p?.answers ?? []).map((a) => ('data' in a ? a.data : undefined));

describe('startDnsServer', () => {
  it('answers cluster names over UDP: authoritative, recursion available, id and question echoed', async () => {
    const server = await start();
    const r = await udp(server.port, query('Web.Default.svc.cluster.local.'));
    expect(r).toMatchObject({ type: 'response', id: 4242, flag_aa: true, flag_ra: true, flag_rd: true, flag_tc: false, rcode: 'NOERROR' });
    expect(r?.questions).toEqual([{ name: 'Web.Default.svc.cluster.local', type: 'A', class: 'IN' }]);
    expect(ips(r)).toEqual(['10.43.0.20']);
    expect(r?.answers?.[0]).toMatchObject({ ttl: 5 });
  });

  it('answers NXDOMAIN with the SOA, and NODATA, for cluster names', async () => {
    const server = await start();
    const nx = await udp(server.port, query('nope.default.svc.cluster.local'));
    expect(nx).toMatchObject({ rcode: 'NXDOMAIN', flag_aa: true });
    expect(nx?.authorities?.map((a) => a.type)).toEqual(['SOA']);
    const nodata = await udp(server.port, query('web.default.svc.cluster.local', 'AAAA'));
    expect(nodata).toMatchObject({ rcode: 'NOERROR', answers: [] });
  });

  it('answers over TCP on the same port, several queries on one connection, however the stream is cut', async () => {
    const server = await start();
    const two = Buffer.concat([frame(dnsPacket.encode({ ...query('web.default.svc.cluster.local'), id: 1 })), frame(dnsPacket.encode({ ...query('_http._tcp.web.default.svc.cluster.local', 'SRV'), id: 2 }))]);
    const replies = await tcp(server.port, [two.subarray(0, 1), two.subarray(1, 20), two.subarray(20)], 2);
    const byId = new Map(replies.map((r) => [r.id, r]));
    expect(ips(byId.get(1))).toEqual(['10.43.0.20']);
    expect(byId.get(2)?.answers?.[0]).toMatchObject({ type: 'SRV', data: { port: 80, target: 'web.default.svc.cluster.local' } });
  });

  it('reads the records anew for each query', async () => {
    let current = new ClusterRecords({ services: [], endpoints: [] });
    const server = await start({ records: () => current });
    expect((await udp(server.port, query('web.default.svc.cluster.local')))?.rcode).toBe('NXDOMAIN');
    current = records;
    expect(ips(await udp(server.port, query('web.default.svc.cluster.local')))).toEqual(['10.43.0.20']);
  });

  it('truncates UDP answers over 512 bytes (TC), sends them whole over TCP or to an EDNS client', async () => {
    const server = await start();
    const small = await udp(server.port, query('many.default.svc.cluster.local'));
    expect(small).toMatchObject({ flag_tc: true, answers: [] });
    expect(small?.questions?.[0].name).toBe('many.default.svc.cluster.local');
    expect((await tcpOne(server.port, query('many.default.svc.cluster.local'))).answers).toHaveLength(60);
    const big = await udp(server.port, query('many.default.svc.cluster.local', 'A', edns(4096)));
    expect(big).toMatchObject({ flag_tc: false });
    expect(big?.answers).toHaveLength(60);
    expect(big?.additionals?.map((a) => a.type)).toEqual(['OPT']);
    expect((await udp(server.port, query('many.default.svc.cluster.local', 'A', edns(600))))?.flag_tc).toBe(true);
  });

  it('forwards other names over UDP to the upstream and relays its reply with the client id', async () => {
    const up = await fakeUpstream();
    const server = await start({ upstreams: [up.address] });
    const r = await udp(server.port, { ...query('example.org'), id: 777 });
    expect(r).toMatchObject({ id: 777, rcode: 'NOERROR', flag_aa: false });
    expect(ips(r)).toEqual(['192.0.2.1']);
    expect(up.seen.map((s) => [s.transport, s.packet.id, s.packet.questions?.[0].name])).toEqual([['udp', 777, 'example.org']]);
  });

  it('forwards TCP queries over TCP', async () => {
    const up = await fakeUpstream();
    const server = await start({ upstreams: [up.address] });
    const r = await tcpOne(server.port, { ...query('example.org'), id: 778 });
    expect(r).toMatchObject({ id: 778 });
    expect(ips(r)).toEqual(['192.0.2.1']);
    expect(up.seen.map((s) => s.transport)).toEqual(['tcp']);
  });

  it('tries the next upstream when one stays silent past the timeout', async () => {
    const silent = await silentUpstream();
    const up = await fakeUpstream();
    const server = await start({ upstreams: [silent.address, up.address], upstreamTimeoutMs: 150 });
    expect(ips(await udp(server.port, query('example.org')))).toEqual(['192.0.2.1']);
    expect(silent.received()).toBe(1);
  });

  it('answers SERVFAIL when no upstream answers in time, or there is none', async () => {
    const silent = await silentUpstream();
    const server = await start({ upstreams: [silent.address], upstreamTimeoutMs: 100 });
    const r = await udp(server.port, query('example.org'));
    expect(r).toMatchObject({ id: 4242, rcode: 'SERVFAIL', flag_ra: true });
    expect(r?.questions?.[0].name).toBe('example.org');
    expect(silent.received()).toBe(1);
    const none = await start({ upstreams: [] });
    expect((await udp(none.port, query('example.org')))?.rcode).toBe('SERVFAIL');
    expect((await tcpOne(none.port, query('example.org'))).rcode).toBe('SERVFAIL');
  });

  it('resolves the outside target of an ExternalName through the upstream', async () => {
    const up = await fakeUpstream();
    const server = await start({ upstreams: [up.address] });
    const r = await udp(server.port, query('ext.default.svc.cluster.local'));
    expect(r?.answers?.map((a) => [a.type, 'data' in a && a.data])).toEqual([['CNAME', 'example.com'], ['A', '192.0.2.1']]);
    expect(up.seen[0].packet.questions?.[0]).toMatchObject({ name: 'example.com', type: 'A' });
  });

  it('drops malformed packets and responses, and keeps answering', async () => {
    const server = await start();
    expect(await udp(server.port, Buffer.from('definitely not dns'), 200)).toBeUndefined();
    expect(await udp(server.port, Buffer.alloc(0), 200)).toBeUndefined();
    const header = dnsPacket.encode(query('web.default.svc.cluster.local')).subarray(0, 14); // cut inside the question
    expect(await udp(server.port, header, 200)).toBeUndefined();
    expect(await udp(server.port, { ...query('web.default.svc.cluster.local'), type: 'response' }, 200)).toBeUndefined();
    const garbage = await Promise.race([tcp(server.port, [frame(Buffer.from('junk')), Buffer.from([0xff])]), new Promise((r) => setTimeout(() => r('none'), 200))]);
    expect(garbage).toBe('none');
    expect(ips(await udp(server.port, query('web.default.svc.cluster.local')))).toEqual(['10.43.0.20']);
    expect(ips(await tcpOne(server.port, query('web.default.svc.cluster.local')))).toEqual(['10.43.0.20']);
  });

  it('answers SERVFAIL when the records cannot be read', async () => {
    const server = await start({
      records: () => {
        throw new Error('no index yet');
      },
    });
    expect(await udp(server.port, query('web.default.svc.cluster.local'))).toMatchObject({ id: 4242, rcode: 'SERVFAIL' });
  });

  it('answers FORMERR to a query without a question', async () => {
    const server = await start();
    expect(await udp(server.port, { type: 'query', id: 9, questions: [] })).toMatchObject({ id: 9, rcode: 'FORMERR' });
  });

  it('closes cleanly, even with a forward in flight', async () => {
    const silent = await silentUpstream();
    const server = await startDnsServer({ host: HOST, port: 0, records: () => records, upstreams: [silent.address], upstreamTimeoutMs: 5000 });
    const pending = udp(server.port, query('example.org'), 300);
    await new Promise((r) => setTimeout(r, 50));
    await server.close();
    expect(await pending).toBeUndefined();
    await server.close(); // twice is harmless
  });
});
