// version: `bramble version`, this CLI's version and the server's (from /version).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CONNECTION_OPTIONS, session } from '../flags.js';
import { defineVerb } from './verb.js';

export const versionCommand = defineVerb({
  name: 'version',
  summary: 'print the client and server versions',
  usage: 'bramble version [--client]',
  options: [{ name: 'client', type: 'boolean', default: false, help: 'only the client version (no server needed)', category: 'Version' }, ...CONNECTION_OPTIONS],
  async run(values) {
    console.log(`Client Version: v${clientVersion()}`);
    if (values.client) return 0;
    const s = session(values);
    const v = await s.client.get('/version');
    console.log(`Server Version: ${v?.gitVersion ?? 'unknown'}`);
    return 0;
  },
});

/** clientVersion reads the package's version from the nearest package.json above this module
 *  (the same walk works from cli/ in the source tree and from dist/cli/ when built). */
export function clientVersion(): string {
  let dir = import.meta.dirname;
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (pkg.name === 'bramble') return String(pkg.version);
    } catch {
      // not here; keep walking up
    }
    const up = dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}
