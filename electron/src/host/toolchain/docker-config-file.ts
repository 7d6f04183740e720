import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';

export type DockerConfig = Record<string, unknown>;

/** `$DOCKER_CONFIG`, else `~/.docker`: where the docker CLI keeps config.json and contexts. */
export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG ?? path.join(env.HOME ?? os.homedir(), '.docker');
}

export class DockerConfigInvalid extends Error {
  constructor(file: string, detail: string) {
    super(`${file} is not valid JSON (${detail}); Berth leaves it as it is: fix it and start Berth again`);
    this.name = 'DockerConfigInvalid';
  }
}

/**
 * `~/.docker/config.json`, edited with care: every key Berth does not own is kept as it was, the bytes before each
 * change are copied to a backup first, a change is written atomically (temp file + rename) with the file's mode
 * (0600 when new), and a config.json that is a symlink (dotfile managers) is written through to its target.
 * Invalid JSON is never overwritten.
 */
export class DockerConfigFile {
  readonly file: string;

  constructor(
    readonly dir: string,
    /** Where the backups go (Berth's own home, so the docker dir gains no files). */
    private readonly backupDir: string,
  ) {
    this.file = path.join(dir, 'config.json');
  }

  /** The file's bytes, or undefined when there is none. */
  bytes(): Buffer | undefined {
    try {
      return readFileSync(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  read(): DockerConfig {
    const raw = this.bytes();
    if (!raw || !raw.toString('utf8').trim()) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      throw new DockerConfigInvalid(this.file, (err as Error).message);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new DockerConfigInvalid(this.file, 'not a JSON object');
    return parsed as DockerConfig;
  }

  /** Applies `edit` (which answers whether it changed anything) and writes only when it did. */
  update(edit: (config: DockerConfig) => boolean): boolean {
    const config = this.read();
    if (!edit(config)) return false;
    this.write(config);
    return true;
  }

  /** Writes `config` as the docker CLI does (tab-indented JSON), after backing up what was there. */
  write(config: DockerConfig): void {
    this.writeBytes(Buffer.from(JSON.stringify(config, null, '\t')));
  }

  writeBytes(content: Buffer): void {
    const target = existsSync(this.file) ? realpathSync(this.file) : this.file;
    const mode = existsSync(target) ? statSync(target).mode & 0o777 : 0o600;
    this.backup();
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileAtomic(target, content, mode);
  }

  private backup(): void {
    if (!existsSync(this.file)) return;
    mkdirSync(this.backupDir, { recursive: true, mode: 0o700 });
    copyFileSync(this.file, path.join(this.backupDir, 'docker-config.json.bak'));
  }
}

/** Registries whose secret sits in plain text in `auths` (what `berth credentials migrate` moves). */
export function plaintextLogins(config: DockerConfig): string[] {
  const auths = config.auths;
  if (!auths || typeof auths !== 'object') return [];
  return Object.entries(auths as Record<string, Record<string, unknown>>)
    .filter(([, a]) => a && typeof a === 'object' && ['auth', 'password', 'identitytoken', 'registrytoken'].some((k) => typeof a[k] === 'string' && a[k] !== ''))
    .map(([server]) => server);
}
