// external: the pure parts of the external-broker support — the --mqtt-* flags, the CA bundle, the
// bus's topic matching, and the node ACLs against the embedded broker's rules. The broker itself
// is exercised end to end, with a real Mosquitto, in test/integration/mosquitto.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveOptions, UsageError } from '../../shared/options.js';
import { nodeMayAccess, nodeMaySubscribe } from '../../shared/mqtt/topics.js';
import { SERVER_OPTIONS, serverConfig } from '../config.js';
import type { Acl } from './dynsec.js';
import { nodeAcls } from './dynsec-accounts.js';
import { caBundle, externalBrokerSettings } from './external.js';
import { topicMatches, withoutCredentials } from './mqtt-bus.js';

const settings = (args: string[], env: Record<string, string> = {}) => externalBrokerSettings(serverConfig(resolveOptions(SERVER_OPTIONS, args, env).values));

describe('externalBrokerSettings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bramble-external-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is undefined without --mqtt-url (the embedded broker)', () => {
    expect(settings([])).toBeUndefined();
  });

  it('takes the admin account from the URL or the flags, and never advertises it', () => {
    expect(settings(['--mqtt-url', 'mqtts://adm%40in:p%3Ass@broker.local:8884'])).toEqual({
      url: 'mqtts://broker.local:8884',
      advertiseUrl: 'mqtts://broker.local:8884',
      port: 8884,
      username: 'adm@in',
      password: 'p:ss',
      caPem: undefined,
    });
    const s = settings(['--mqtt-url', 'mqtts://broker.local', '--mqtt-username', 'admin', '--mqtt-advertise-url', 'mqtts://mqtt.example.org:443'], { BRAMBLE_MQTT_PASSWORD: 'pw' });
    expect(s).toMatchObject({ url: 'mqtts://broker.local', advertiseUrl: 'mqtts://mqtt.example.org:443', port: 8883, username: 'admin', password: 'pw' });
  });

  it('reads --mqtt-ca', () => {
    const ca = join(dir, 'ca.crt');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    expect(settings(['--mqtt-url', 'mqtts://a:b@h:1', '--mqtt-ca', ca])?.caPem).toContain('BEGIN CERTIFICATE');
    const notPem = join(dir, 'x.txt');
    writeFileSync(notPem, 'hello');
    expect(() => settings(['--mqtt-url', 'mqtts://a:b@h:1', '--mqtt-ca', notPem])).toThrow(/no PEM certificate/);
  });

  it('refuses what cannot work', () => {
    for (const [args, msg] of [
      [['--mqtt-url', 'mqtt://a:b@h:1883'], /only mqtts/],
      [['--mqtt-url', 'ws://a:b@h:1883'], /only mqtts/],
      [['--mqtt-url', 'not a url'], /is not a URL/],
      [['--mqtt-url', 'mqtts://a:b@h:1/some/path'], /has a path/],
      [['--mqtt-url', 'mqtts://h:1'], /admin account/],
      [['--mqtt-password', 'pw'], /--mqtt-password is for an external broker/],
      [['--mqtt-advertise-url', 'mqtts://h:1'], /--mqtt-advertise-url is for an external broker/],
    ] as [string[], RegExp][]) {
      expect(() => settings(args), args.join(' ')).toThrow(UsageError);
      expect(() => settings(args), args.join(' ')).toThrow(msg);
    }
  });
});

describe('caBundle', () => {
  const cluster = '-----BEGIN CERTIFICATE-----\nCLUSTER\n-----END CERTIFICATE-----\n';
  const broker = '-----BEGIN CERTIFICATE-----\nBROKER\n-----END CERTIFICATE-----\n';
  it('is the cluster CA alone unless the broker has another, then both, the cluster CA first', () => {
    expect(caBundle(cluster, undefined)).toBe(cluster);
    expect(caBundle(cluster, `${cluster}\n`)).toBe(cluster);
    expect(caBundle(cluster, broker)).toBe(`${cluster}${broker}`);
  });
});

describe('topicMatches / withoutCredentials', () => {
  it('matches MQTT wildcards', () => {
    expect(topicMatches('bramble/v1/nodes/+/state', 'bramble/v1/nodes/pi-1/state')).toBe(true);
    expect(topicMatches('bramble/v1/nodes/+/state', 'bramble/v1/nodes/pi-1/status')).toBe(false);
    expect(topicMatches('bramble/v1/nodes/+/state', 'bramble/v1/nodes/pi-1/state/x')).toBe(false);
    expect(topicMatches('bramble/v1/cluster/#', 'bramble/v1/cluster/services/a/b')).toBe(true);
    expect(topicMatches('bramble/v1/cluster/#', 'bramble/v1/cluster')).toBe(true);
    expect(topicMatches('#', '$CONTROL/dynamic-security/v1/response')).toBe(false);
    expect(topicMatches('$CONTROL/dynamic-security/v1/response', '$CONTROL/dynamic-security/v1/response')).toBe(true);
  });

  it('drops the user info of a URL', () => {
    expect(withoutCredentials('mqtts://admin:secret@broker:8883')).toBe('mqtts://broker:8883');
  });
});

// allowed evaluates dynsec ACLs as Mosquitto 2.0 does for one role: for a subscription the
// literal ACLs first, then the patterns; for a publish the ACLs by priority; the first match
// decides, and nothing matching means the default (deny).
function allowed(acls: Acl[], kind: 'publish' | 'subscribe', topic: string): boolean {
  const byPriority = (a: Acl, b: Acl) => (b.priority ?? 0) - (a.priority ?? 0);
  if (kind === 'publish') {
    const hit = acls.filter((a) => a.acltype === 'publishClientSend').sort(byPriority).find((a) => topicMatches(a.topic, topic));
    return hit?.allow ?? false;
  }
  const literal = acls.find((a) => a.acltype === 'subscribeLiteral' && a.topic === topic);
  if (literal) return literal.allow;
  const pattern = acls.filter((a) => a.acltype === 'subscribePattern').sort(byPriority).find((a) => topicMatches(a.topic, topic));
  return pattern?.allow ?? false;
}

describe('nodeAcls', () => {
  it('allows what the embedded broker allows, and nothing else', () => {
    const acls = nodeAcls('pi-1');
    const cases = [
      'bramble/v1/nodes/pi-1/state',
      'bramble/v1/nodes/pi-1/logs/abc',
      'bramble/v1/nodes/pi-1/logs/+/stop',
      'bramble/v1/nodes/pi-1/#',
      'bramble/v1/nodes/pi-1',
      'bramble/v1/nodes/pi-10/state',
      'bramble/v1/nodes/pi-2/desired',
      'bramble/v1/nodes/+/desired',
      'bramble/v1/cluster',
      'bramble/v1/cluster/#',
      'bramble/v1/cluster/network/nodes/pi-2',
      'bramble/v1/cluster/services/+/+',
      'bramble/v1/#',
      '#',
      '$CONTROL/dynamic-security/v1',
    ];
    for (const t of cases) {
      expect(allowed(acls, 'subscribe', t), `subscribe ${t}`).toBe(nodeMaySubscribe('pi-1', t));
      if (!/[+#]/.test(t)) expect(allowed(acls, 'publish', t), `publish ${t}`).toBe(nodeMayAccess('pi-1', t));
    }
  });
});
