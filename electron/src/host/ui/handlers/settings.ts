import { readFile, writeFile, rename } from 'node:fs/promises';
import os from 'node:os';
import type Docker from 'dockerode';
import { checkDaemonJson } from './daemon-json.js';
import type { RequestHandlers, UiHostOptions } from './types.js';

type Requests = Pick<RequestHandlers,
  'settings.get' | 'settings.checkDaemonJson' | 'settings.saveDaemonJson' | 'troubleshoot.diagnostics' | 'troubleshoot.logs'>;

async function tailFile(file: string | undefined, lines: number): Promise<string[]> {
  if (!file) return [];
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).slice(-Math.max(1, Math.min(lines, 5000)));
}

// Diagnostics never carry credentials: registry auths and anything that looks like a secret are masked.
export function redact(text: string): string {
  return text
    .replace(/("(?:auth|password|token|identitytoken|secret)[^"]*"\s*:\s*)"[^"]*"/gi, '$1"<redacted>"')
    .replace(/(authorization:[ \t]*).+/gi, '$1<redacted>');
}

export function settingsHandlers(docker: Docker, opts: UiHostOptions): Requests {
  return {
    async 'settings.get'() {
      const daemonJson = opts.daemonJsonPath ? await readFile(opts.daemonJsonPath, 'utf8').catch(() => '{}\n') : undefined;
      return {
        endpoint: opts.engine,
        ...(opts.daemonJsonPath ? { daemonJsonPath: opts.daemonJsonPath, daemonJson } : {}),
      };
    },
    async 'settings.checkDaemonJson'({ text }) {
      return checkDaemonJson(text);
    },
    async 'settings.saveDaemonJson'({ text }) {
      if (!opts.daemonJsonPath) {
        throw { code: 'not_implemented', message: 'This dashboard was not told where the engine keeps its daemon.json.', hint: 'Start it with --daemon-json PATH.' };
      }
      const check = checkDaemonJson(text);
      if (!check.ok) throw { code: 'invalid', message: check.errors.join('; ') };
      const tmp = `${opts.daemonJsonPath}.tmp-${process.pid}`;
      await writeFile(tmp, text.endsWith('\n') ? text : `${text}\n`, { mode: 0o644 });
      await rename(tmp, opts.daemonJsonPath);
      return { restartNeeded: true };
    },
    async 'troubleshoot.diagnostics'() {
      const section = (title: string, body: string) => `## ${title}\n${body.trim()}\n`;
      const version = await docker.version().then((v) => JSON.stringify(v, null, 2)).catch((e: Error) => `unavailable: ${e.message}`);
      const info = await docker.info().then((v) => JSON.stringify(v, null, 2)).catch((e: Error) => `unavailable: ${e.message}`);
      const daemonJson = opts.daemonJsonPath ? await readFile(opts.daemonJsonPath, 'utf8').catch(() => '(missing)') : '(unknown)';
      const text = [
        section('Host', `${os.type()} ${os.release()} ${os.arch()}, node ${process.version}, ${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 20)} MiB`),
        section('Engine endpoint', opts.engine),
        section('Engine version', version),
        section('Engine info', info),
        section('daemon.json', daemonJson),
        section('Engine log (last 500 lines)', (await tailFile(opts.engineLogPath, 500)).join('\n') || '(no log file known)'),
        section('Host log (last 500 lines)', (await tailFile(opts.hostLogPath, 500)).join('\n') || '(no log file known)'),
      ].join('\n');
      return { createdAt: new Date().toISOString(), text: redact(text) };
    },
    async 'troubleshoot.logs'({ source, tail }) {
      const file = source === 'engine' ? opts.engineLogPath : opts.hostLogPath;
      if (!file) throw { code: 'not_found', message: `This dashboard does not know where the ${source} log is.`, hint: 'Start it with --engine-log PATH.' };
      return { lines: await tailFile(file, tail) };
    },
  };
}
