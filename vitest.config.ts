import { defineConfig } from 'vitest/config';
import path from 'node:path';

export default defineConfig({
  resolve: { alias: { '@': path.resolve(__dirname) } },
  test: {
    include: ['lib/**/*.test.ts', 'cli/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    // 2-core machines: one fork per core, no more.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
  },
});
