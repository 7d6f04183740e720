import type { Reporter, TestModule } from 'vitest/node';
import { summarize } from './summary.js';

/**
 * Prints, after vitest's own summary, what failed (hooks and files that failed to load included), what passed
 * only on a retry and why tests were skipped, then one plain closing line, `tests: N passed, N failed, N skipped`,
 * so CI and humans read the same figure whatever the runner's output looks like. See summary.ts for the counting.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<{ message?: string; name?: string }>): void {
    const s = summarize(testModules, unhandledErrors);
    const out: string[] = [''];
    if (s.failures.length > 0) out.push('failed:', ...s.failures.map((f) => `  ${f}`));
    if (s.passedOnRetry.length > 0) out.push('passed only on a retry:', ...s.passedOnRetry.map((f) => `  ${f}`));
    if (s.skipReasons.size > 0) {
      out.push('skipped:');
      for (const [reason, n] of [...s.skipReasons].sort((a, b) => b[1] - a[1])) out.push(`  ${n} × ${reason}`);
    }
    out.push(`tests: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`);
    process.stdout.write(out.join('\n') + '\n');
    // Whatever vitest decides, a run with a failure in it does not exit 0.
    if (s.failed > 0) process.exitCode = 1;
  }
}
