// handler: one query's bytes in, the reply's bytes out — or nothing, for packets that are
// dropped. It chooses between the cluster index and the upstreams; the sockets are server.ts'.
import { randomInt } from 'node:crypto';
import dnsPacket, { type Answer, type DecodedPacket, type Packet, type Question } from 'dns-packet';
import type { Logger } from 'pino';
import { isUnder, normalizeName } from './names.js';
import type { ClusterRecords, LocalAnswer, RecordsResult } from './records.js';
import { fitUdp, localReply, opcodeOf, reply, udpLimit } from './response.js';
import type { Transport } from './upstream.js';

export interface HandlerDeps {
  records: () => ClusterRecords;
  // forward sends raw query bytes to the upstreams; undefined when none answered.
  forward: (query: Buffer, id: number, transport: Transport) => Promise<Buffer | undefined>;
  logger?: Logger;
}

export async function handleQuery(raw: Buffer, transport: Transport, deps: HandlerDeps): Promise<Buffer | undefined> {
  let query: DecodedPacket;
  try {
    query = dnsPacket.decode(raw);
  } catch {
    return undefined; // malformed: there is no question to echo, and garbage earns no reply
  }
  if (query.type !== 'query') return undefined; // a response sent to us: answering it could loop
  const out = await decide(raw, query, transport, deps);
  if (Buffer.isBuffer(out)) return out; // the upstream's reply, relayed as is
  try {
    return transport === 'udp' ? fitUdp(out, udpLimit(query)) : dnsPacket.encode(out);
  } catch (err) {
    deps.logger?.debug({ err }, 'dns: reply could not be encoded');
    return undefined;
  }
}

async function decide(raw: Buffer, query: DecodedPacket, transport: Transport, deps: HandlerDeps): Promise<Packet | Buffer> {
  if (opcodeOf(query) !== 0) return reply(query, 'NOTIMP');
  const q = query.questions?.[0];
  if (!q || query.questions?.length !== 1) return reply(query, 'FORMERR');
  let records: ClusterRecords;
  let result: RecordsResult;
  try {
    records = deps.records();
    // Other classes (CHAOS "version.bind" and the like) are not the cluster's: the upstream decides.
    result = q.class === undefined || q.class === 'IN' || q.class === 'ANY' ? records.answer(q) : { kind: 'forward' };
  } catch (err) {
    deps.logger?.warn({ err }, 'dns: cluster records failed');
    return reply(query, 'SERVFAIL');
  }
  if (result.kind === 'forward') return (await deps.forward(raw, query.id ?? 0, transport)) ?? reply(query, 'SERVFAIL');
  return localReply(query, result, await chase(result, q, transport, records.domain, deps));
}

// chase resolves an ExternalName's outside target through the upstreams, as CoreDNS does:
// stub resolvers (glibc, musl) do not follow a CNAME left dangling in an answer. On failure the
// client still gets the CNAME.
async function chase(r: LocalAnswer, q: Question, transport: Transport, domain: string, deps: HandlerDeps): Promise<Answer[]> {
  const last = r.answers.at(-1);
  if (last?.type !== 'CNAME' || (q.type !== 'A' && q.type !== 'AAAA')) return [];
  const target = normalizeName(last.data);
  if (isUnder(target, domain)) return [];
  const id = randomInt(65536);
  const ask = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: target, type: q.type, class: 'IN' }] });
  const raw = await deps.forward(ask, id, transport);
  if (!raw) return [];
  try {
    const answer = dnsPacket.decode(raw);
    if (((answer.flags ?? 0) & 0xf) !== 0) return []; // rcode other than NOERROR
    return (answer.answers ?? []).filter((a) => a.type === 'CNAME' || a.type === q.type);
  } catch {
    return [];
  }
}
