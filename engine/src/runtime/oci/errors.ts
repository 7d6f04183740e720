import { Conflict, NotFound, SystemError, type EngineError } from '../../base/errors.js';
import { inRuncWords } from './runc-words.js';

/**
 * The runtime's own words for a failure. Runtimes run with `--log-format json`, so stderr or the log file holds
 * `{"level":"error","msg":"…"}` lines; anything else is taken as plain text. crun's words for a missing executable
 * or container are put in runc's (runc-words.ts), so users and the docker CLI see the same text with either.
 */
export function runtimeMessage(output: string): string {
  const msgs: string[] = [];
  const plain: string[] = [];
  for (const line of output.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    try {
      const entry = JSON.parse(t) as { level?: string; msg?: string };
      if ((entry.level === 'error' || entry.level === 'fatal') && entry.msg) msgs.push(entry.msg);
    } catch {
      plain.push(t.replace(/^(ERRO\[\d+\]|crun: |Error: )\s*/, ''));
    }
  }
  const picked = msgs.length ? msgs : plain;
  return inRuncWords(picked.at(-1) ?? 'unknown error');
}

/**
 * dockerd's shape for runtime failures: `OCI runtime create failed: <runtime's message>: unknown`. "does not
 * exist" becomes NotFound and "not running"/"paused" Conflict, so the API maps them to 404/409.
 */
export function ociRuntimeError(verb: string, output: string): EngineError {
  const msg = runtimeMessage(output);
  const text = `OCI runtime ${verb} failed: ${msg}: unknown`;
  if (/does not exist|not found|no such file or directory.*state\.json/i.test(msg) && verb !== 'create' && verb !== 'exec') {
    return new NotFound(text);
  }
  if (/not running|is paused|not paused|already exists|cannot (pause|resume)/i.test(msg)) return new Conflict(text);
  return new SystemError(text);
}
