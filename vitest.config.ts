import { defineConfig } from 'vitest/config';
import SummaryReporter from './scripts/src/test/summary-reporter.js';

// One runner for the whole repo. Unit tests sit next to the code (`*.test.ts`); integration and e2e tests live in
// their own folders, run one file at a time (they start daemons, registries and browsers on a 2-core machine).
export default defineConfig({
  test: {
    reporters: ['default', new SummaryReporter()],
    globalSetup: ['./scripts/src/test/run-temp-dir.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{engine,electron,renderer,scripts,vm-image}/src/**/*.test.{ts,tsx}', 'scripts/lint/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['{engine,electron,scripts,vm-image}/test/integration/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['{electron,renderer}/test/e2e/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
