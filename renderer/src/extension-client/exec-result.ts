// Docker Desktop's ExecResult: the outcome plus lines(), parseJsonLines() and parseJsonObject().
import type { ExecOutcome } from '@berth/electron/shared/extension-bridge.js';

export interface ExecResult extends ExecOutcome {
  lines(): string[];
  parseJsonLines(): unknown[];
  parseJsonObject(): unknown;
}

export function execResult(o: ExecOutcome): ExecResult {
  return {
    ...o,
    lines: () => o.stdout.split('\n').filter((l) => l.trim() !== ''),
    parseJsonLines: () => o.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown),
    parseJsonObject: () => JSON.parse(o.stdout) as unknown,
  };
}
