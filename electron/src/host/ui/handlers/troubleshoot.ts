// Diagnostics bundle, logs and factory reset. The bundle is for pasting into a bug report, so nothing in it may
// carry a credential: registry auths, tokens, passwords and Authorization headers are masked wherever they occur.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type Docker from 'dockerode';
import type { RequestHandlers, UiHostOptions } from './types.js';

type Requests = Pick<RequestHandlers, 'troubleshoot.diagnostics' | 'troubleshoot.logs' | 'troubleshoot.resetPlan' | 'troubleshoot.reset'>;

async function tailFile(file: string | undefined, lines: number): Promise<string[]> {
  if (!file) return [];
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).slice(-Math.max(1, Math.min(lines, 5000)));
}

const SECRET_KEY = '(?:auths?|password|passwd|secret|token|identitytoken|registrytoken|apikey|api_key|credentials?)';

/** Masks credentials in JSON (`"auth": "…"`), flags and env (`TOKEN=…`), headers, and URLs (`https://u:p@host`). */
export function redact(text: string): string {
  return text
    // JSON string values under secret-looking keys ("auths" objects are handled entry by entry below).
    .replace(new RegExp(`("[^"]*${SECRET_KEY}[^"]*"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi'), '$1"<redacted>"')
    .replace(/(authorization:[ \t]*).+/gi, '$1<redacted>')
    .replace(new RegExp(`(\\b[A-Z0-9_]*${SECRET_KEY}[A-Z0-9_]*=)\\S+`, 'gi'), '$1<redacted>')
    .replace(/(--[a-z-]*(?:password|token|secret)[a-z-]*[= ])\S+/gi, '$1<redacted>')
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi, '$1<redacted>@')
    .replace(/\bgh[pousr]_[A-Za-z0-9]{20,}\b/g, '<redacted>')
    .replace(/\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{5,}\b/g, '<redacted-jwt>');
}

const json = (v: unknown) => JSON.stringify(v, null, 2);

export function troubleshootHandlers(docker: Docker, opts: UiHostOptions): Requests {
  const controls = opts.controls ?? {};
  // A VM host reads berthd's log inside the VM; otherwise the file this host was told about.
  const engineLog = (lines: number): Promise<string[]> =>
    controls.engineLog ? controls.engineLog(Math.max(1, Math.min(lines, 5000))) : tailFile(opts.engineLogPath, lines);
  return {
    async 'troubleshoot.diagnostics'() {
      const section = (title: string, body: string) => `## ${title}\n${body.trim()}\n`;
      const version = await docker.version().then(json).catch((e: Error) => `unavailable: ${e.message}`);
      const info = await docker.info().then(json).catch((e: Error) => `unavailable: ${e.message}`);
      const daemonJson = opts.daemonJsonPath ? await readFile(opts.daemonJsonPath, 'utf8').catch(() => '(missing)') : '(unknown)';
      const settings = opts.settingsPath ? await readFile(opts.settingsPath, 'utf8').catch(() => '(none saved: defaults)') : '(this host keeps none)';
      const text = [
        section('Berth', `collected ${new Date().toISOString()} by the dashboard host (pid ${process.pid})`),
        section('Host', `${os.type()} ${os.release()} ${os.arch()}, node ${process.version}, ${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 20)} MiB`),
        section('Engine endpoint', opts.engine),
        section('Engine version', version),
        section('Engine info', info),
        section(`Berth settings${opts.settingsPath ? ` (${opts.settingsPath})` : ''}`, settings),
        section('daemon.json', daemonJson),
        section('Engine log (last 500 lines)', (await engineLog(500).then((l) => l.join('\n'), (e: Error) => `unavailable: ${e.message}`)) || '(no log file known)'),
        section('Host log (last 500 lines)', (await tailFile(opts.hostLogPath, 500)).join('\n') || '(no log file known)'),
      ].join('\n');
      return { createdAt: new Date().toISOString(), text: redact(text) };
    },
    async 'troubleshoot.logs'({ source, tail }) {
      if (source === 'engine' && controls.engineLog) {
        const lines = await engineLog(tail).catch((e: Error) => {
          throw { code: 'engine_down', message: `Cannot read the engine log: ${e.message}`, hint: 'The log is inside the VM: start the engine, or see `berth logs engine`.' };
        });
        return { lines: lines.map(redact) };
      }
      const file = source === 'engine' ? opts.engineLogPath : opts.hostLogPath;
      if (!file) throw { code: 'not_found', message: `This dashboard does not know where the ${source} log is.`, hint: `Start it with --${source}-log PATH.` };
      return { lines: (await tailFile(file, tail)).map(redact) };
    },
    async 'troubleshoot.resetPlan'() {
      return controls.factoryReset ? { deletes: [...controls.factoryReset.deletes] } : null;
    },
    async 'troubleshoot.reset'() {
      if (!controls.factoryReset) {
        throw {
          code: 'not_implemented',
          message: 'This dashboard does not manage the engine, so it cannot reset it.',
          hint: 'Use the Berth app or `berth reset --force`, or stop the engine and delete its data root.',
        };
      }
      await controls.factoryReset.run();
    },
  };
}
