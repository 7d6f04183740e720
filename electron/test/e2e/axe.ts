// Runs axe-core (the accessibility checker) inside the dashboard page and reports violations as readable lines.
// The script is evaluated through the DevTools protocol, so the page's CSP (own files only) does not block it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.x A/AA and axe's best practices, plus the id rules axe marks deprecated (duplicate ids still break labels). */
const OPTIONS = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
  rules: { 'duplicate-id': { enabled: true }, 'duplicate-id-active': { enabled: true } },
  resultTypes: ['violations'],
};

export interface AxeViolation { rule: string; impact: string; help: string; nodes: { target: string; summary: string }[] }

interface AxeLike {
  run(context: unknown, options: unknown): Promise<{
    violations: { id: string; impact?: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[];
  }>;
}

/** The violations on the page as it is now; `exclude` lists selectors to leave out (content not ours). */
export async function axeViolations(page: Page, exclude: string[] = []): Promise<AxeViolation[]> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async ({ options, exclude }) => {
    const axe = (globalThis as unknown as { axe: AxeLike }).axe;
    const result = await axe.run(exclude.length ? { exclude: exclude.map((s) => [s]) } : { include: [['html']] }, options);
    return result.violations.map((v) => ({
      rule: v.id, impact: v.impact ?? '', help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String).join(' '), summary: n.failureSummary ?? '' })),
    }));
  }, { options: OPTIONS, exclude });
}

/** One line per failing element, prefixed with where it was seen: what a failing assertion prints. */
export function describeViolations(where: string, violations: AxeViolation[]): string[] {
  return violations.flatMap((v) => v.nodes.map((n) => `${where}: ${v.rule} (${v.impact}) ${n.target}: ${n.summary.replace(/\s+/g, ' ').slice(0, 300)}`));
}
