// bundle-agent: builds dist/bramble-agent.mjs, the agent as one ES module (esbuild). Measured on
// Node 20 (see FOOTPRINT in BENCHMARKS.md): one bundled file costs far less resident memory than
// the same code loaded as hundreds of node_modules files. Modules the agent never runs are
// replaced by an empty one: BuildKit sessions (@grpc/*, protobufjs) and ssh:// Docker hosts (ssh2).
import { build } from 'esbuild';
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
  // CommonJS dependencies call require(); give the ES module bundle one.
  banner: { js: "import { createRequire as __bcr } from 'node:module'; const require = __bcr(import.meta.url);" },
  plugins: [
    {
      name: 'leave-out',
      setup(b) {
        b.onResolve({ filter: /^(@grpc\/grpc-js|@grpc\/proto-loader|protobufjs|ssh2|cpu-features)(\/.*)?$/ }, (a) => ({ path: a.path, namespace: 'empty' }));
        b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: empty, loader: 'js' }));
      },
    },
  ],
  logLevel: 'warning',
});
