import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { BerthPaths } from '../paths.js';
import { addPluginsDir, CREDS_STORE, dropLoginMarkers, removePluginsDir, restoreKey, sameJson, setKey } from './config-edits.js';
import { DockerConfigFile, plaintextLogins, type DockerConfig } from './docker-config-file.js';
import { readHostChanges, writeHostChanges, type DockerConfigChanges, type HostChanges } from './host-changes.js';

import { CONTEXT_NAME } from '../context/docker-context.js';

export { CONTEXT_NAME };

export type CredsStoreState =
  /** Berth set `credsStore: berth` now. */
  | 'set'
  /** It was already Berth's. */
  | 'kept'
  /** Plain-text logins are in config.json: Berth asks before moving them (then sets it). */
  | 'awaiting-consent'
  /** Berth set it once and the user changed it since: their choice stands. */
  | 'user-choice'
  /** No `docker-credential-berth` to run (not among the bundled tools, not on PATH): not set, or docker login would fail. */
  | 'no-helper';

export interface DockerSetupResult {
  file: string;
  credsStore: CredsStoreState;
  /** Registries with a plain-text secret in config.json. */
  plaintext: string[];
  currentContext: string;
}

/**
 * Berth's changes to ~/.docker/config.json, each recorded with what it replaced (host-changes.json) so that turning
 * a feature off or uninstalling puts exactly that back, and the first-ever bytes are kept
 * (backups/docker-config.original.json) so a full uninstall can restore the file byte for byte.
 */
export class DockerConfigSetup {
  readonly file: DockerConfigFile;
  private readonly original: string;

  constructor(
    private readonly paths: BerthPaths,
    configDir: string,
  ) {
    const backups = path.join(paths.home, 'backups');
    this.file = new DockerConfigFile(configDir, backups);
    this.original = path.join(backups, 'docker-config.original.json');
  }

  private changes(): HostChanges {
    return readHostChanges(this.paths.hostChanges);
  }

  /** Runs `edit` on the file and the record; the first change of all saves the original bytes first. */
  private edit(edit: (config: DockerConfig, rec: DockerConfigChanges) => boolean): void {
    const changes = this.changes();
    let rec = changes.dockerConfig;
    const fresh = !rec;
    if (!rec) {
      rec = { file: this.file.file, existed: this.file.bytes() !== undefined, dirExisted: existsSync(this.file.dir) };
    }
    const config = this.file.read();
    const before = JSON.stringify(rec);
    if (!edit(config, rec) && JSON.stringify(rec) === before) return;
    if (fresh && rec.existed) {
      mkdirSync(path.dirname(this.original), { recursive: true, mode: 0o700 });
      copyFileSync(this.file.file, this.original);
    }
    // The record first: a crash after it leaves a change uninstall can undo, never an unrecorded one.
    writeHostChanges(this.paths.hostChanges, { ...changes, dockerConfig: rec });
    this.file.write(config);
  }

  /** At every start: Berth's plugin dir, `credsStore` on first start (unless plain-text logins wait for consent), the context. */
  apply(opts: { pluginsDir?: string; useContext: boolean; helperAvailable?: boolean }): DockerSetupResult {
    let credsStore: CredsStoreState = 'kept';
    let plaintext: string[] = [];
    this.edit((config, rec) => {
      let changed = false;
      if (opts.pluginsDir) {
        const r = addPluginsDir(config, opts.pluginsDir);
        if (r.changed) rec.pluginsDir = { dir: opts.pluginsDir, createdKey: r.createdKey };
        changed ||= r.changed;
      }
      plaintext = plaintextLogins(config);
      if (rec.credsStore) {
        credsStore = config.credsStore === CREDS_STORE ? 'kept' : 'user-choice';
      } else if (config.credsStore === CREDS_STORE) {
        credsStore = 'kept';
      } else if (opts.helperAvailable === false) {
        credsStore = 'no-helper';
      } else if (plaintext.length) {
        // With credsStore set, the CLI stops reading plain-text auths: those logins would silently stop working.
        credsStore = 'awaiting-consent';
      } else {
        rec.credsStore = { previous: setKey(config, 'credsStore', CREDS_STORE).previous };
        credsStore = 'set';
        changed = true;
      }
      if (opts.useContext) changed = useBerthContext(config, rec) || changed;
      return changed;
    });
    return { file: this.file.file, credsStore, plaintext, currentContext: currentContextOf(this.file.read()) };
  }

  /** After plain-text logins were stored in the keychain: their secrets leave the file, and `credsStore: berth`. */
  adoptLogins(servers: string[]): void {
    this.edit((config, rec) => {
      const auths = (config.auths ?? {}) as Record<string, unknown>;
      for (const s of servers) auths[s] = {};
      if (servers.length) config.auths = auths;
      const r = setKey(config, 'credsStore', CREDS_STORE);
      if (r.changed && !rec.credsStore) rec.credsStore = { previous: r.previous };
      return r.changed || servers.length > 0;
    });
  }

  /** Settings → "Use the berth context": on makes it current (remembering the previous), off puts the previous back. */
  setContextInUse(on: boolean): string {
    this.edit((config, rec) => {
      if (on) return useBerthContext(config, rec);
      const prev = rec.currentContext;
      if (!prev) return false;
      delete rec.currentContext;
      return restoreKey(config, 'currentContext', CONTEXT_NAME, prev.previous);
    });
    return currentContextOf(this.file.read());
  }

  /**
   * `berth uninstall`: puts back every key Berth changed (while it still holds Berth's value) and drops the login
   * markers of `erasedLogins`. When what is left equals the file before Berth's first change, the original bytes are
   * written back (or the file removed, if there was none); entries the user added since are kept otherwise.
   */
  undo(erasedLogins: string[]): 'untouched' | 'restored' | 'reverted' {
    const changes = this.changes();
    const rec = changes.dockerConfig;
    if (!rec || !existsSync(this.file.file)) return 'untouched';
    const config = this.file.read();
    const originalBytes = rec.existed && existsSync(this.original) ? readFileSync(this.original) : undefined;
    const original = originalBytes ? (JSON.parse(originalBytes.toString('utf8') || '{}') as DockerConfig) : {};
    if (rec.credsStore) restoreKey(config, 'credsStore', CREDS_STORE, rec.credsStore.previous);
    if (rec.currentContext) restoreKey(config, 'currentContext', CONTEXT_NAME, rec.currentContext.previous);
    if (rec.pluginsDir) removePluginsDir(config, rec.pluginsDir.dir, rec.pluginsDir.createdKey);
    dropLoginMarkers(config, erasedLogins, original.auths !== undefined);
    let outcome: 'restored' | 'reverted' = 'reverted';
    if (sameJson(config, original)) {
      outcome = 'restored';
      if (originalBytes) this.file.writeBytes(originalBytes);
      else removeMadeConfig(this.file.file, rec.dirExisted);
    } else {
      this.file.write(config);
    }
    const { dockerConfig: _done, ...rest } = changes;
    writeHostChanges(this.paths.hostChanges, rest);
    return outcome;
  }
}

function useBerthContext(config: DockerConfig, rec: DockerConfigChanges): boolean {
  const r = setKey(config, 'currentContext', CONTEXT_NAME);
  // Remember what the user had; if Berth's context is current already, an earlier previous stays remembered.
  if (r.changed) rec.currentContext = { previous: r.previous };
  return r.changed;
}

export function currentContextOf(config: DockerConfig): string {
  return typeof config.currentContext === 'string' && config.currentContext ? config.currentContext : 'default';
}

/** There was no config.json before Berth: remove it, and the dir when Berth made that too and nothing else is left. */
function removeMadeConfig(file: string, dirExisted: boolean): void {
  rmSync(file, { force: true });
  if (dirExisted) return;
  const dir = path.dirname(file);
  // The context store dirs the berth context lived in are Berth's too once empty.
  for (const sub of ['contexts/meta', 'contexts']) {
    const d = path.join(dir, sub);
    if (existsSync(d) && readdirSync(d).length === 0) rmdirSync(d);
  }
  if (existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
}
