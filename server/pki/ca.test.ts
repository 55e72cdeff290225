import { X509Certificate as NodeX509, createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensurePki, issueCert, type Pki, RENEW_BEFORE_DAYS, SERVING_DAYS } from './ca.js';
import * as x509 from './x509.js';

const DAY = 86_400_000;
let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'bramble-pki-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function sansOf(certPem: string): string[] {
  const ext = new x509.X509Certificate(certPem).getExtension(x509.SubjectAlternativeNameExtension);
  return ext?.names.items.map((n) => n.value.toLowerCase()) ?? [];
}

const mode = async (p: string) => (await stat(p)).mode & 0o777;

describe('ensurePki', () => {
  it('creates the CA and serving pair on first start, with private modes', async () => {
    const pki = await ensurePki(dataDir, {});
    const dir = join(dataDir, 'tls');
    expect(await mode(dir)).toBe(0o700);
    expect(await mode(join(dir, 'ca.key'))).toBe(0o600);
    expect(await mode(join(dir, 'server.key'))).toBe(0o600);
    expect(await readFile(join(dir, 'ca.crt'), 'utf8')).toBe(pki.caCertPem);
    expect(await readFile(join(dir, 'server.crt'), 'utf8')).toBe(pki.certPem);
    expect(pki.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(pki.caKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(pki.servingIssued).toBe('no serving certificate yet');

    const ca = new x509.X509Certificate(pki.caCertPem);
    expect(ca.subject).toMatch(/^CN=bramble-ca@\d+$/);
    expect(ca.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(true);
    const caYears = (ca.notAfter.getTime() - Date.now()) / (365 * DAY);
    expect(caYears).toBeGreaterThan(9.9);
    const der = new NodeX509(pki.caCertPem).raw;
    expect(pki.caHash).toBe(createHash('sha256').update(der).digest('hex'));
  });

  it('reuses everything on a second start', async () => {
    const first = await ensurePki(dataDir, {});
    const second = await ensurePki(dataDir, {});
    expect(second).toEqual({ ...first, servingIssued: undefined });
  });

  it('puts loopback, the hostname and the requested names in the serving cert', async () => {
    const pki = await ensurePki(dataDir, { hostnames: ['Pi.Example.lan'], ips: ['10.9.8.7'] });
    const sans = sansOf(pki.certPem);
    for (const want of ['127.0.0.1', 'localhost', 'pi.example.lan', '10.9.8.7', hostname().toLowerCase()]) {
      expect(sans).toContain(want);
    }
    const eku = new x509.X509Certificate(pki.certPem).getExtension(x509.ExtendedKeyUsageExtension);
    expect(eku?.usages).toEqual([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]);
    expect(await new x509.X509Certificate(pki.certPem).verify({ publicKey: new x509.X509Certificate(pki.caCertPem).publicKey, signatureOnly: true })).toBe(true);
  });

  it('re-issues the serving cert from the same CA when a new address appears, keeping old names', async () => {
    const first = await ensurePki(dataDir, { ips: ['10.0.0.1'] });
    const second = await ensurePki(dataDir, { ips: ['10.0.0.2'] });
    expect(second.caCertPem).toBe(first.caCertPem);
    expect(second.caKeyPem).toBe(first.caKeyPem);
    expect(second.certPem).not.toBe(first.certPem);
    expect(second.servingIssued).toMatch(/10\.0\.0\.2/);
    expect(sansOf(second.certPem)).toEqual(expect.arrayContaining(['10.0.0.1', '10.0.0.2']));
  });

  it('re-issues the serving cert when it expires within 30 days, never the CA', async () => {
    const start = Date.now();
    const first = await ensurePki(dataDir, { now: () => start });
    const later = start + (SERVING_DAYS - RENEW_BEFORE_DAYS + 1) * DAY;
    const renewed = await ensurePki(dataDir, { now: () => later });
    expect(renewed.caCertPem).toBe(first.caCertPem);
    expect(renewed.certPem).not.toBe(first.certPem);
    expect(renewed.servingIssued).toMatch(/expires within/);
    const earlier = await ensurePki(dataDir, { now: () => start + 100 * DAY });
    expect(earlier.servingIssued).toBeUndefined();
  });

  it('re-issues when server.key does not match server.crt', async () => {
    const first = await ensurePki(dataDir, {});
    await writeFile(join(dataDir, 'tls', 'server.key'), first.caKeyPem);
    const again = await ensurePki(dataDir, {});
    expect(again.servingIssued).toMatch(/does not match/);
    expect(again.caCertPem).toBe(first.caCertPem);
  });

  it('refuses to invent a new CA when only half of it is on disk', async () => {
    await ensurePki(dataDir, {});
    await rm(join(dataDir, 'tls', 'ca.key'));
    await expect(ensurePki(dataDir, {})).rejects.toThrow(/ca\.key is missing/);
  });
});

describe('TLS with the generated pair', () => {
  let pki: Pki;
  let server: tls.Server;
  let port: number;

  beforeEach(async () => {
    pki = await ensurePki(dataDir, {});
    server = tls.createServer({ cert: pki.certPem, key: pki.keyPem, ca: pki.caCertPem, requestCert: true, rejectUnauthorized: false }, (sock) => {
      const peer = sock.getPeerCertificate();
      sock.end(sock.authorized ? `hello ${peer.subject.CN}` : 'hello anonymous');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  function talk(opts: tls.ConnectionOptions): Promise<string> {
    return new Promise((resolve, reject) => {
      const sock = tls.connect({ host: '127.0.0.1', port, ...opts }, () => {
        let data = '';
        sock.on('data', (d) => (data += d));
        sock.on('end', () => resolve(data));
      });
      sock.on('error', reject);
    });
  }

  it.each([
    ['by IP', {}],
    ['by name localhost', { servername: 'localhost' }],
  ])('a client that trusts only the CA connects %s', async (_, extra) => {
    expect(await talk({ ca: pki.caCertPem, ...extra })).toBe('hello anonymous');
  });

  it('a client trusting another CA is rejected', async () => {
    const other = await mkdtemp(join(tmpdir(), 'bramble-pki-other-'));
    try {
      const otherPki = await ensurePki(other, {});
      await expect(talk({ ca: otherPki.caCertPem })).rejects.toThrow(/self.signed|unable to verify|certificate/i);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('a node client certificate from issueCert is accepted by the server', async () => {
    const client = await issueCert(pki, { commonName: 'system:node:pi-1', organization: 'system:nodes', client: true, days: 365 });
    const eku = new x509.X509Certificate(client.certPem).getExtension(x509.ExtendedKeyUsageExtension);
    expect(eku?.usages).toEqual([x509.ExtendedKeyUsage.clientAuth]);
    expect(await talk({ ca: pki.caCertPem, cert: client.certPem, key: client.keyPem })).toBe('hello system:node:pi-1');
  });
});
