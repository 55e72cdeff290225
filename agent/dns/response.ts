// response: reply packets built from a decoded query — local answers and error replies — and
// their fitting into one UDP datagram. Pure.
import dnsPacket, { type Answer, type DecodedPacket, type OptAnswer, type Packet } from 'dns-packet';
import type { LocalAnswer } from './records.js';

export type Rcode = 'NOERROR' | 'FORMERR' | 'SERVFAIL' | 'NXDOMAIN' | 'NOTIMP' | 'REFUSED';
const RCODES: Record<Rcode, number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };
const OPCODE_MASK = 0xf << 11;

export const CLASSIC_UDP_LIMIT = 512; // RFC 1035, for clients without EDNS
export const EDNS_UDP_LIMIT = 4096; // what we advertise, and the most we send in one datagram

export function ednsOf(query: Packet): OptAnswer | undefined {
  return query.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
}

// opcodeOf: only QUERY (0) is served; the rest get NOTIMP.
export const opcodeOf = (query: DecodedPacket) => ((query.flags ?? 0) & OPCODE_MASK) >> 11;

// udpLimit is the largest reply a client can take over UDP: 512 bytes, or what its EDNS OPT
// record announces (RFC 6891), capped at our own limit.
export function udpLimit(query: Packet): number {
  const opt = ednsOf(query);
  return opt ? Math.max(CLASSIC_UDP_LIMIT, Math.min(opt.udpPayloadSize, EDNS_UDP_LIMIT)) : CLASSIC_UDP_LIMIT;
}

interface Sections {
  answers?: Answer[];
  authorities?: Answer[];
  additionals?: Answer[];
  authoritative?: boolean;
}

// reply echoes the query's id, question, opcode and RD/CD bits, and announces recursion (we
// forward everything outside the zone). An EDNS query gets an OPT record back (RFC 6891 §7).
export function reply(query: DecodedPacket, rcode: Rcode, s: Sections = {}): Packet {
  const echoed = (query.flags ?? 0) & (OPCODE_MASK | dnsPacket.RECURSION_DESIRED | dnsPacket.CHECKING_DISABLED);
  const flags = echoed | dnsPacket.RECURSION_AVAILABLE | (s.authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | RCODES[rcode];
  const opt: OptAnswer[] = ednsOf(query)
    ? [{ name: '.', type: 'OPT', udpPayloadSize: EDNS_UDP_LIMIT, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }]
    : [];
  return {
    type: 'response', id: query.id, flags, questions: query.questions,
    answers: s.answers ?? [], authorities: s.authorities ?? [], additionals: [...(s.additionals ?? []), ...opt],
  };
}

// localReply: the cluster zone is ours, so its answers are authoritative; `chased` holds the
// upstream's answer for an ExternalName's outside target.
export function localReply(query: DecodedPacket, r: LocalAnswer, chased: Answer[] = []): Packet {
  return reply(query, r.rcode, { authoritative: true, answers: [...r.answers, ...chased], authorities: r.authorities, additionals: r.additionals });
}

// fitUdp encodes packet within limit bytes: first dropping the additional section (optional
// data, no TC needed — RFC 2181 §9), then everything but the question with TC set, which sends
// the client back over TCP.
export function fitUdp(packet: Packet, limit: number): Buffer {
  const full = dnsPacket.encode(packet);
  if (full.length <= limit) return full;
  const opt = (packet.additionals ?? []).filter((a) => a.type === 'OPT');
  const lean = dnsPacket.encode({ ...packet, additionals: opt });
  if (lean.length <= limit) return lean;
  const flags = (packet.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE;
  return dnsPacket.encode({ ...packet, flags, answers: [], authorities: [], additionals: opt });
}
