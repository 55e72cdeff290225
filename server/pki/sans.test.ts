import { describe, expect, it } from 'vitest';
import { neededSans } from './sans.js';

const host = {
  hostname: 'Pi-Server',
  interfaces: {
    lo: [
      { address: '127.0.0.1', internal: true },
      { address: '::1', internal: true },
    ],
    eth0: [
      { address: '192.168.1.10', internal: false },
      { address: 'FD00:0:0::2', internal: false },
    ],
    docker0: [{ address: '172.17.0.1', internal: false }],
  },
};

describe('neededSans', () => {
  it('lists hostname, external interface addresses and loopback, normalized and sorted', () => {
    expect(neededSans({}, host)).toEqual(['127.0.0.1', '172.17.0.1', '192.168.1.10', '::1', 'fd00::2', 'localhost', 'pi-server'].sort());
  });

  it('adds operator names and addresses without duplicates', () => {
    const sans = neededSans({ hostnames: ['bramble.local', 'localhost'], ips: ['10.0.0.5', '192.168.1.10'] }, host);
    expect(sans.filter((s) => s === 'localhost')).toHaveLength(1);
    expect(sans).toEqual(expect.arrayContaining(['bramble.local', '10.0.0.5']));
  });

  it('rejects an --ip that is not an address', () => {
    expect(() => neededSans({ ips: ['pi.lan'] }, host)).toThrow(/not an IP address/);
  });
});
