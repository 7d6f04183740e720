import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ManagedVm } from './vm-service.js';

/** The VM host's log lines (stages, state changes, failures with the console tail, ports, shares), timestamped. */
export function logVmEvents(vm: ManagedVm, write: (line: string) => void): void {
  const log = (msg: string) => write(`${new Date().toISOString()} ${msg}\n`);
  vm.on('progress', (p) => log(`stage ${p.stage} ${p.phase} at ${p.elapsedMs} ms`));
  vm.on('state', (s) => log(`state ${s}`));
  vm.on('log', log);
  vm.on('failed', (e) => log(`VM failed (${e.code}): ${e.message}${e.consoleTail ? `\n--- console tail ---\n${e.consoleTail}` : ''}`));
}

/** Appends to a file (the Electron app's host log; `berth daemon` writes to stdout, which is its log file). */
export function appendTo(file: string): (line: string) => void {
  mkdirSync(path.dirname(file), { recursive: true });
  return (line) => {
    try {
      appendFileSync(file, line);
    } catch {
      // a full or vanished disk must not take the app down
    }
  };
}
