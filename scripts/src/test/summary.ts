import path from 'node:path';
import type { TestCase, TestModule, TestSuite } from 'vitest/node';

/**
 * What a run amounted to, counted so that nothing broken reads as a skip: a file that failed to load, a hook that
 * threw (beforeAll/afterAll, at file or suite level) and an unhandled error each count as failures and are named;
 * the tests a failed hook kept from running count as failed too (they did not pass, and no one chose to skip them);
 * a test that passed only on a retry is listed; skips are grouped by their reason.
 */
export interface RunSummary {
  passed: number;
  failed: number;
  skipped: number;
  /** One line per failure: `file > suite > test`, or `file > suite (hook or load error: message)`. */
  failures: string[];
  /** Tests that passed after failing first (`retry`): `file > test (N retries)`. */
  passedOnRetry: string[];
  /** Skipped tests per reason (`ctx.skip(reason)`, a `(skipped: reason)` title, or "no reason given"). */
  skipReasons: Map<string, number>;
}

interface ErrorLike {
  message?: string;
  name?: string;
}

export function summarize(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<ErrorLike> = [], root = process.cwd()): RunSummary {
  const s: RunSummary = { passed: 0, failed: 0, skipped: 0, failures: [], passedOnRetry: [], skipReasons: new Map() };
  for (const mod of modules) {
    const file = path.relative(root, mod.moduleId) || mod.moduleId;
    // Scopes whose own errors (hooks, collection) broke them: the module itself and any suite in it.
    const broken = new Set<TestModule | TestSuite>();
    for (const scope of [mod, ...mod.children.allSuites()]) {
      const errors = scope.errors();
      if (errors.length === 0) continue;
      broken.add(scope);
      const where = scope.type === 'module' ? file : `${file} > ${scope.fullName}`;
      const notRun = [...scope.children.allTests()].filter((t) => t.result().state === 'skipped' && !t.result().errors && t.options.mode === 'run' && !skipNote(t));
      const suffix = notRun.length > 0 ? `; ${notRun.length} test${notRun.length === 1 ? '' : 's'} did not run` : '';
      s.failures.push(`${where} (${errors.map(firstLine).join('; ')}${suffix})`);
      // The scope counts once, or once per test it kept from running.
      s.failed += Math.max(1, notRun.length);
    }
    if (mod.state() === 'failed' && broken.size === 0 && [...mod.children.allTests()].every((t) => t.result().state !== 'failed')) {
      // Failed without a test or scope saying why (vitest's own bookkeeping): still a failure, never a pass.
      s.failures.push(`${file} (the file failed)`);
      s.failed++;
    }
    for (const test of mod.children.allTests()) {
      const result = test.result();
      const name = `${file} > ${test.fullName}`;
      if (result.state === 'passed') {
        s.passed++;
        const retries = test.diagnostic()?.retryCount ?? 0;
        if (retries > 0) s.passedOnRetry.push(`${name} (${retries} ${retries === 1 ? 'retry' : 'retries'})`);
      } else if (result.state === 'failed') {
        s.failed++;
        s.failures.push(name);
      } else if (result.state === 'skipped') {
        if (underBrokenScope(test, broken) && test.options.mode === 'run' && !skipNote(test)) continue; // counted above
        s.skipped++;
        const reason = skipReason(test, file);
        s.skipReasons.set(reason, (s.skipReasons.get(reason) ?? 0) + 1);
      } else {
        // Pending at the end of a run: it never finished (a crashed worker, an interrupted run).
        s.failed++;
        s.failures.push(`${name} (did not finish)`);
      }
    }
  }
  for (const err of unhandledErrors) {
    s.failed++;
    s.failures.push(`unhandled error: ${firstLine(err)}`);
  }
  return s;
}

function underBrokenScope(test: TestCase, broken: Set<TestModule | TestSuite>): boolean {
  for (let p: TestSuite | TestModule = test.parent; ; p = p.parent) {
    if (broken.has(p)) return true;
    if (p.type === 'module') return false;
  }
}

function skipNote(test: TestCase): string | undefined {
  const r = test.result();
  return r.state === 'skipped' ? r.note : undefined;
}

function skipReason(test: TestCase, file: string): string {
  const note = skipNote(test);
  if (note) return note;
  if (test.options.mode === 'todo') return `todo (${file})`;
  // The convention for skipIf, which takes no note: the reason in the title, `… (skipped: reason)`.
  for (let p: TestCase | TestSuite | TestModule = test; p.type !== 'module'; p = p.parent) {
    const m = /\(skipped: (.+)\)\s*$/.exec(p.name);
    if (m) return m[1]!;
  }
  return `no reason given (${file})`;
}

function firstLine(err: ErrorLike): string {
  const msg = (err.message ?? String(err)).split('\n')[0]!.trim();
  return err.name && err.name !== 'Error' && !msg.startsWith(err.name) ? `${err.name}: ${msg}` : msg;
}
