/**
 * Reads pytest's JUnit XML (`--junitxml`, xunit2) into one outcome per test. pytest writes a small, regular subset
 * of XML (no CDATA, no namespaces), so a scan of `<testcase>` elements is enough; a teardown error after a pass
 * comes as a second `<testcase>` with the same name and turns that test into an error, as pytest counts it.
 */

export type Outcome = 'passed' | 'failed' | 'error' | 'skipped';

export interface TestResult {
  /** `api_container_test.py::ExecTest::test_exec_command_streaming`, the way pytest names a test. */
  id: string;
  outcome: Outcome;
  /** The first line of the failure, error or skip message; '' for a pass. */
  message: string;
}

const TESTCASE = /<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g;
const RESULT_TAG = /<(failure|error|skipped)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/;
const RANK: Record<Outcome, number> = { passed: 0, skipped: 1, failed: 2, error: 3 };

export function parseJunit(xml: string): Map<string, TestResult> {
  const results = new Map<string, TestResult>();
  for (const m of xml.matchAll(TESTCASE)) {
    const attrs = attributes(m[1] ?? '');
    const id = testId(attrs.classname ?? '', attrs.name ?? '', attrs.file);
    const body = m[2] ?? '';
    const tag = RESULT_TAG.exec(body);
    const outcome: Outcome = tag ? (tag[1] === 'failure' ? 'failed' : (tag[1] as Outcome)) : 'passed';
    const message = tag ? firstLine(attributes(tag[2] ?? '').message ?? unescapeXml(tag[3] ?? '')) : '';
    const prior = results.get(id);
    if (!prior || RANK[outcome] > RANK[prior.outcome]) results.set(id, { id, outcome, message });
  }
  return results;
}

/** `tests.integration.api_exec_test.ExecTest` + `test_x` → `api_exec_test.py::ExecTest::test_x`. */
export function testId(classname: string, name: string, file?: string): string {
  const parts = classname.split('.');
  // Classes start upper-case; the module is the last lower-case part before them.
  const firstClass = parts.findIndex((p) => /^[A-Z]/.test(p));
  const modParts = firstClass === -1 ? parts : parts.slice(0, firstClass);
  const classes = firstClass === -1 ? [] : parts.slice(firstClass);
  const module = file ? file.split('/').at(-1)! : `${modParts.at(-1) ?? ''}.py`;
  return [module, ...classes, name].join('::');
}

function attributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([\w:-]+)="([^"]*)"/g)) out[m[1]!] = unescapeXml(m[2]!);
  return out;
}

function unescapeXml(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0]!.slice(0, 240);
}
