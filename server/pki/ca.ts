// ca: the server's PKI on disk. At first start it makes a CA and a serving certificate in
// DATA_DIR/tls; later starts reuse them and re-issue only the serving certificate, from the same
// CA, when it lacks a name the machine now has or is about to expire.
//
//   DATA_DIR/tls/ (0700)
//     ca.crt      the CA certificate: kubeconfigs and agents trust it; its hash goes in join tokens
//     ca.key      (0600) kept for signing node client certs and the MQTT server cert
//     server.crt  the API server's certificate (serverAuth + clientAuth)
//     server.key  (0600)
//
// The CA is never regenerated on its own: every kubeconfig and joined node trusts it, so losing
// it is an operator decision (delete ca.crt and ca.key), not something a restart may do.
import { join } from 'node:path';
import {
  type CaMaterial,
  type CertPair,
  certNotAfter,
  certSans,
  createCa,
  derSha256,
  keyMatchesCert,
  type LeafOptions,
  signLeaf,
} from './certs.js';
import { ensurePrivateDir, readIfExists, tlsDir, writeFileAtomic } from './files.js';
import { type HostView, neededSans, type SanOptions } from './sans.js';
import * as x509 from './x509.js';

export interface Pki extends CaMaterial, CertPair {
  /** caHash: hex SHA-256 of the CA certificate's DER, for join tokens (k3s's K10<hash>). */
  caHash: string;
  /** servingIssued says why the serving certificate was (re-)issued on this call, if it was. */
  servingIssued?: string;
}

export interface PkiOptions extends SanOptions {
  /** now: the clock, injectable for tests. */
  now?: () => number;
  /** host: the machine's hostname and interfaces, injectable for tests. */
  host?: HostView;
}

export const CA_DAYS = 3650;
// SERVING_DAYS: ten years, not one. Bramble runs at offline sites where nobody may restart the
// server for over a year, and renewal only happens at start; a one-year cert would turn that into
// an outage (a known k3s pain). A short lifetime would buy little here: the CA key sits on the same
// disk, so whoever can steal server.key can mint a new one anyway. Still capped at the CA's expiry.
export const SERVING_DAYS = 3650;
export const RENEW_BEFORE_DAYS = 30;
const DAY_MS = 86_400_000;

const FILES = { caCert: 'ca.crt', caKey: 'ca.key', cert: 'server.crt', key: 'server.key' } as const;

/** ensurePki loads the PKI from DATA_DIR/tls, creating or renewing what is missing or stale. */
export async function ensurePki(dataDir: string, opts: PkiOptions = {}): Promise<Pki> {
  const now = opts.now?.() ?? Date.now();
  const dir = tlsDir(dataDir);
  await ensurePrivateDir(dir);
  const ca = await loadOrCreateCa(dir, now);
  const serving = await loadOrIssueServing(dir, ca, neededSans(opts, opts.host), now);
  return { ...ca, ...serving, caHash: derSha256(ca.caCertPem) };
}

/** issueCert signs a new leaf certificate (node client cert, MQTT server cert, …) with the CA. */
export async function issueCert(pki: CaMaterial, opts: LeafOptions & { now?: number }): Promise<CertPair> {
  return signLeaf(pki, opts, opts.now ?? Date.now());
}

async function loadOrCreateCa(dir: string, now: number): Promise<CaMaterial> {
  const caCertPem = await readIfExists(join(dir, FILES.caCert));
  const caKeyPem = await readIfExists(join(dir, FILES.caKey));
  if (caCertPem === undefined && caKeyPem === undefined) {
    const ca = await createCa(`bramble-ca@${Math.floor(now / 1000)}`, CA_DAYS, now);
    await writeFileAtomic(join(dir, FILES.caKey), ca.caKeyPem, 0o600);
    await writeFileAtomic(join(dir, FILES.caCert), ca.caCertPem, 0o644);
    return ca;
  }
  if (caCertPem === undefined || caKeyPem === undefined) {
    const missing = caCertPem === undefined ? FILES.caCert : FILES.caKey;
    throw new Error(
      `${join(dir, missing)} is missing but its partner exists; restore it, or delete both ca.crt and ca.key to start a new CA (every kubeconfig and joined node must then be set up again)`,
    );
  }
  if (!keyMatchesCert(caKeyPem, caCertPem)) {
    throw new Error(`${join(dir, FILES.caKey)} does not belong to ${join(dir, FILES.caCert)}`);
  }
  return { caCertPem, caKeyPem };
}

async function loadOrIssueServing(dir: string, ca: CaMaterial, needed: string[], now: number) {
  const certPem = await readIfExists(join(dir, FILES.cert));
  const keyPem = await readIfExists(join(dir, FILES.key));
  let keep: string[] = [];
  let reason = 'no serving certificate yet';
  if (certPem !== undefined && keyPem !== undefined) {
    const problem = await servingProblem(certPem, keyPem, ca, needed, now);
    if (!problem) return { certPem, keyPem };
    reason = problem.reason;
    keep = problem.keepSans;
  }
  const sans = [...new Set([...keep, ...needed])].sort();
  const pair = await signLeaf(ca, { commonName: 'bramble-apiserver', sans, days: SERVING_DAYS }, now);
  await writeFileAtomic(join(dir, FILES.key), pair.keyPem, 0o600);
  await writeFileAtomic(join(dir, FILES.cert), pair.certPem, 0o644);
  return { ...pair, servingIssued: reason };
}

// servingProblem says why the stored serving cert cannot stay, and which of its SANs are worth
// keeping in the new one (so an address that is down at this boot does not drop out of the cert).
async function servingProblem(certPem: string, keyPem: string, ca: CaMaterial, needed: string[], now: number) {
  let have: string[];
  try {
    if (!keyMatchesCert(keyPem, certPem)) return { reason: 'server.key does not match server.crt', keepSans: [] };
    const caPublicKey = new x509.X509Certificate(ca.caCertPem).publicKey;
    const signedByCa = await new x509.X509Certificate(certPem).verify({ publicKey: caPublicKey, signatureOnly: true });
    if (!signedByCa) return { reason: 'server.crt was not signed by ca.crt', keepSans: [] };
    have = certSans(certPem);
  } catch (err) {
    return { reason: `server.crt is unreadable: ${(err as Error).message}`, keepSans: [] };
  }
  const missing = needed.filter((san) => !have.includes(san));
  if (missing.length) return { reason: `new subject alternative names: ${missing.join(', ')}`, keepSans: have };
  if (certNotAfter(certPem).getTime() - now < RENEW_BEFORE_DAYS * DAY_MS) {
    return { reason: `expires within ${RENEW_BEFORE_DAYS} days`, keepSans: have };
  }
  return undefined;
}
