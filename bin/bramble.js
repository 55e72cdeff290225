#!/usr/bin/env node
// bramble's entry point: runs the compiled CLI (npm ci builds dist/ through the prepare script),
// so a Pi never transpiles TypeScript at start.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error('bramble: dist/ is missing; run `npm run build` (npm ci does it for you)');
  process.exit(1);
}
await import(main.href);
