// build: vitest global setup. The integration and end-to-end tiers run the compiled server and
// CLI and the bundled agent (what users run), so dist/ is rebuilt once before the tests.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function setup(): void {
  const root = join(import.meta.dirname, '..', '..');
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [join(root, 'install', 'bundle-agent.mjs')], { cwd: root, stdio: 'inherit' });
}
