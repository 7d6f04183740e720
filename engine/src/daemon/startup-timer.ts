import type { Logger } from '../base/log.js';

/**
 * Wall-clock time of each start-up phase, logged once at debug level: start-up under TCG in the VM is slow enough
 * that every phase counts, and this says which one to look at. Phases may overlap (those run side by side).
 */
export class StartupTimer {
  private readonly t0 = process.hrtime.bigint();
  private readonly phases: Record<string, number> = {};

  private since(start: bigint): number {
    return Math.round(Number(process.hrtime.bigint() - start) / 1e5) / 10;
  }

  async time<T>(phase: string, fn: () => Promise<T> | T): Promise<T> {
    const start = process.hrtime.bigint();
    try {
      return await fn();
    } finally {
      this.phases[phase] = this.since(start);
    }
  }

  /** Records when `moment` happened, in ms since the timer was made (e.g. when the API started listening). */
  mark(moment: string): void {
    this.phases[moment] = this.since(this.t0);
  }

  /** `sinceProcessStart` includes Node's own start and module loading, which the phases do not. */
  report(log: Logger): void {
    log.debug({ ms: this.phases, totalMs: this.since(this.t0), sinceProcessStartMs: Math.round(process.uptime() * 1000) }, 'start-up phases');
  }
}
