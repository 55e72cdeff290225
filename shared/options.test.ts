import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envName, type OptionDef, parseDuration, resolveOptions, UsageError } from './options.js';

const defs: OptionDef[] = [
  { name: 'node-name', type: 'string', default: 'pi', help: '', category: 'General' },
  { name: 'https-port', type: 'number', default: 6443, help: '', category: 'General' },
  { name: 'no-agent', type: 'boolean', default: false, help: '', category: 'General' },
  { name: 'grace', type: 'duration', default: '3s', help: '', category: 'General' },
  { name: 'tls-san', type: 'list', default: [], help: '', category: 'General' },
  { name: 'namespace', type: 'string', short: 'n', help: '', category: 'General' },
];

describe('options', () => {
  it('names environment variables BRAMBLE_<FLAG>', () => {
    expect(envName('node-name')).toBe('BRAMBLE_NODE_NAME');
  });

  it('takes flag over environment over config file over default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bramble-opts-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'nodeName: from-file\nhttps-port: 7000\ngrace: 10s\n');
    const env = { BRAMBLE_CONFIG: file, BRAMBLE_HTTPS_PORT: '8000' };
    expect(resolveOptions(defs, [], env).values).toMatchObject({ nodeName: 'from-file', httpsPort: 8000, grace: 10_000, noAgent: false });
    expect(resolveOptions(defs, ['--node-name', 'flag', '--https-port=9000'], env).values).toMatchObject({ nodeName: 'flag', httpsPort: 9000 });
    expect(resolveOptions(defs, [], {}).values).toMatchObject({ nodeName: 'pi', httpsPort: 6443, grace: 3000, tlsSan: [] });
  });

  it('parses booleans, lists, short flags and positionals', () => {
    const { values, positionals } = resolveOptions(defs, ['get', '--no-agent', '-n', 'shop', '--tls-san', 'a,b', '--tls-san=c', 'pods'], {});
    expect(values).toMatchObject({ noAgent: true, namespace: 'shop', tlsSan: ['a', 'b', 'c'] });
    expect(positionals).toEqual(['get', 'pods']);
  });

  it.each([
    [['--nope'], /unknown flag: --nope/],
    [['--https-port', 'abc'], /--https-port: expected number/],
    [['--grace', '5 parsecs'], /--grace: expected duration/],
    [['--node-name'], /flag needs a value/],
  ])('refuses %j with one readable line', (argv, msg) => {
    expect(() => resolveOptions(defs, argv, {})).toThrow(UsageError);
    expect(() => resolveOptions(defs, argv, {})).toThrow(msg);
  });

  it('refuses unknown keys in the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bramble-opts-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'colour: blue\n');
    expect(() => resolveOptions(defs, ['--config', file], {})).toThrow(/unknown setting "colour"/);
  });

  it.each([
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['2', 2000],
  ])('parses duration %s', (s, ms) => expect(parseDuration(s)).toBe(ms));
});
