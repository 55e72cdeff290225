#!/usr/bin/env node
// bramble's entry point: runs the compiled CLI (npm ci builds dist/ through the prepare script),
// so a Pi never transpiles TypeScript at start. `bramble agent` runs the bundled agent, which is
// one file holding only the agent's code: far less memory on a 1 GB Pi.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const file = (p) => new URL(p, import.meta.url);
const agentBundle = file('../dist/bramble-agent.mjs');
const main = file('../dist/cli/main.js');
if (process.argv[2] === 'agent' && existsSync(fileURLToPath(agentBundle))) {
  await import(agentBundle.href);
} else if (existsSync(fileURLToPath(main))) {
  await import(main.href);
} else {
  console.error('bramble: dist/ is missing; run `npm run build` (npm ci does it for you)');
  process.exit(1);
}
