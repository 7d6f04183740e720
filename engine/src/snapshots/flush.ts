/**
 * Group commit for syncfs: layers of one pull finish unpacking close together, and each must be flushed before its
 * rename. A flush already running may have started before a caller's writes, so a caller joins the next one; every
 * caller that arrives while one runs shares that next one. Three layers committing at once cost two `sync -f`
 * runs at most, not three (each is a process spawn plus a whole-file-system flush).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Flushes the file system holding `path` (syncfs(2), which Node does not bind). */
export const syncFileSystem = async (path: string): Promise<void> => {
  await run('sync', ['-f', path]);
};

export class FlushGroup {
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  /** `path`: any file or directory on the file system to flush. */
  constructor(
    private readonly path: string,
    private readonly sync: (path: string) => Promise<void> = syncFileSystem,
  ) {}

  /** Resolves once everything written before the call is on disk. */
  flush(): Promise<void> {
    if (!this.running) return this.start();
    this.next ??= this.running.catch(() => undefined).then(() => {
      this.next = undefined;
      return this.start();
    });
    return this.next;
  }

  private start(): Promise<void> {
    const p = this.sync(this.path);
    this.running = p;
    void p
      .finally(() => {
        if (this.running === p) this.running = undefined;
      })
      .catch(() => undefined);
    return p;
  }
}
