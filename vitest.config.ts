// Test projects: `unit` (pure code, SQLite, sharp, server) runs files in parallel; `ml` (tensor
// work, heavy on the 2-core machines) runs one file at a time.
import { defineConfig } from 'vitest/config';

const mlGlobs = ['src/main/ml/**/*.test.ts', 'test/ml/**/*.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['src/**/*.test.ts', 'test/integration/**/*.test.ts'],
          exclude: mlGlobs,
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'ml',
          environment: 'node',
          include: mlGlobs,
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
