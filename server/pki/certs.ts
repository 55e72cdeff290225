// certs: the certificate primitives of Bramble's small PKI — ECDSA P-256 keys, a self-signed CA,
// and leaf certificates signed by it — on WebCrypto and @peculiar/x509. No file I/O here; ca.ts
// decides what to keep on disk.
import { createHash, createPublicKey } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from './x509.js';

const subtle = globalThis.crypto.subtle;
const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
// BACKDATE_MS: notBefore lies an hour in the past so a node whose clock runs a little behind the
// server's (common on Raspberry Pis, which have no RTC) still accepts a freshly issued cert.
const BACKDATE_MS = 3_600_000;

export interface CertPair {
  certPem: string;
  keyPem: string;
}

export interface CaMaterial {
  caCertPem: string;
  caKeyPem: string;
}

export interface LeafOptions {
  commonName: string;
  /** sans: DNS names and IP addresses (told apart with net.isIP). */
  sans?: string[];
  /** organization: the O= of the subject (Kubernetes reads it as the group, e.g. system:nodes). */
  organization?: string;
  /** client: a client-only certificate (clientAuth); otherwise serverAuth and clientAuth. */
  client?: boolean;
  days: number;
}

async function newKeyPair(): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(EC_KEY, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** exportKeyPem writes a private key as PKCS#8 PEM ("BEGIN PRIVATE KEY"), which Node's tls reads. */
async function exportKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function importSigningKey(pem: string): Promise<CryptoKey> {
  return subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(pem), EC_KEY, false, ['sign']);
}

/** createCa makes a self-signed CA certificate that may sign leaves only (pathLength 0). */
export async function createCa(commonName: string, days: number, now: number): Promise<CaMaterial> {
  const keys = await newKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [commonName] }],
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + days * DAY_MS),
    signingAlgorithm: SIGNING,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { caCertPem: cert.toString('pem'), caKeyPem: await exportKeyPem(keys.privateKey) };
}

/** signLeaf issues a new key pair and a certificate for it, signed by the CA; notAfter never
 *  passes the CA's own notAfter. */
export async function signLeaf(ca: CaMaterial, opts: LeafOptions, now: number): Promise<CertPair> {
  const caCert = new x509.X509Certificate(ca.caCertPem);
  const keys = await newKeyPair();
  const notAfter = Math.min(now + opts.days * DAY_MS, caCert.notAfter.getTime());
  const subject: x509.JsonName = [{ CN: [opts.commonName] }];
  if (opts.organization) subject.unshift({ O: [opts.organization] });
  const usages = opts.client
    ? [x509.ExtendedKeyUsage.clientAuth]
    : [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    // digitalSignature only: with ECDSA keys TLS signs the (EC)DHE exchange, it never encrypts to the key.
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(usages),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  ];
  if (opts.sans?.length) extensions.push(new x509.SubjectAlternativeNameExtension(toGeneralNames(opts.sans)));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    issuer: caCert.subjectName,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(notAfter),
    signingAlgorithm: SIGNING,
    publicKey: keys.publicKey,
    signingKey: await importSigningKey(ca.caKeyPem),
    extensions,
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
}

function toGeneralNames(sans: string[]): x509.JsonGeneralName[] {
  return sans.map((value) => ({ type: isIP(value) ? 'ip' : 'dns', value }) as x509.JsonGeneralName);
}

/** certSans lists a certificate's DNS and IP subject alternative names, normalized. */
export function certSans(certPem: string): string[] {
  const ext = new x509.X509Certificate(certPem).getExtension(x509.SubjectAlternativeNameExtension);
  if (!ext) return [];
  return ext.names.items.filter((n) => n.type === 'dns' || n.type === 'ip').map((n) => normalizeSan(n.value));
}

/** normalizeSan makes names comparable: DNS names lowercase, IPv6 in one canonical spelling. */
export function normalizeSan(san: string): string {
  if (isIP(san) === 6) return new URL(`http://[${san}]/`).hostname.slice(1, -1);
  return san.toLowerCase();
}

export function certNotAfter(certPem: string): Date {
  return new x509.X509Certificate(certPem).notAfter;
}

/** derSha256 is the hex SHA-256 of a certificate's DER bytes (k3s's CA hash in join tokens). */
export function derSha256(certPem: string): string {
  const der = Buffer.from(x509.PemConverter.decodeFirst(certPem));
  return createHash('sha256').update(der).digest('hex');
}

/** keyMatchesCert tells whether a private key (PEM) belongs to the certificate (PEM). */
export function keyMatchesCert(keyPem: string, certPem: string): boolean {
  try {
    const fromKey = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
    const fromCert = Buffer.from(new x509.X509Certificate(certPem).publicKey.rawData);
    return fromKey.equals(fromCert);
  } catch {
    return false;
  }
}

// randomSerial returns 16 random bytes as hex with the top bit clear, so the DER INTEGER stays
// positive (RFC 5280 §4.1.2.2) and no two certs from this CA share a serial.
function randomSerial(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}
