// bundle-agent: builds dist/bramble-agent.mjs, the agent as one ES module (esbuild). Measured on
// Node 20 (see FOOTPRINT in BENCHMARKS.md): one bundled file costs far less resident memory than
// the same code loaded as hundreds of node_modules files. Modules the agent never runs are
// replaced by an empty one: BuildKit sessions (@grpc/*, protobufjs) and ssh:// Docker hosts (ssh2),
// and mqtt.js's WebSocket and SOCKS transports and browser timers (ws, socks, worker-timers; the
// agent speaks mqtts:// over TCP only).
//
// The output is pure ASCII: V8 keeps a script's source in memory, as one byte per character only
// if every character fits in Latin-1 — a single "°" in a dependency's regex doubled the 1.2 MB.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const empty = 'export default {};';

await build({
  absWorkingDir: root,
  entryPoints: ['agent/bin.ts'],
  outfile: 'dist/bramble-agent.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  // systeminformation (320 kB) is imported only on boards without a thermal zone in sysfs: left in
  // node_modules, it costs nothing where it is not needed.
  external: ['systeminformation'],
  // CommonJS dependencies call require(); give the ES module bundle one.
  banner: { js: "import { createRequire as __bcr } from 'node:module'; const require = __bcr(import.meta.url);" },
  plugins: [
    {
      name: 'leave-out',
      setup(b) {
        b.onResolve({ filter: /^(@grpc\/grpc-js|@grpc\/proto-loader|protobufjs|ssh2|cpu-features|ws|socks|worker-timers)(\/.*)?$/ }, (a) => ({ path: a.path, namespace: 'empty' }));
        b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: empty, loader: 'js' }));
      },
    },
  ],
  logLevel: 'warning',
});

// esbuild escapes non-ASCII in strings but not inside regular expression literals; \uXXXX means
// the same character in both (and in template literals and identifiers).
const out = `${root}dist/bramble-agent.mjs`;
const code = readFileSync(out, 'utf8');
writeFileSync(out, code.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
