import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{agent,server,shared,cli}/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/setup/build.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
