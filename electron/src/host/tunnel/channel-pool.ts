import type { Duplex } from 'node:stream';

/**
 * Keeps a few channels to the engine socket open ahead of need: opening one costs an SSH round trip (~10 ms under
 * TCG), taking a warm one costs nothing. Channels the far end closes while idle simply leave the pool.
 */
export class ChannelPool {
  private readonly idle: Duplex[] = [];
  private opening = 0;
  private closed = false;

  constructor(
    private readonly open: () => Promise<Duplex>,
    private readonly size = 2,
  ) {}

  async take(): Promise<Duplex> {
    const warm = this.idle.shift();
    this.refill();
    if (warm) {
      warm.removeAllListeners('close');
      warm.removeAllListeners('error');
      return warm;
    }
    return this.open();
  }

  refill(): void {
    while (!this.closed && this.idle.length + this.opening < this.size) {
      this.opening++;
      this.open()
        .then((ch) => {
          if (this.closed) return void ch.destroy();
          ch.once('close', () => this.drop(ch));
          ch.on('error', () => this.drop(ch));
          this.idle.push(ch);
        })
        // Not connected (VM stopping/starting): the next take() opens on demand and refills.
        .catch(() => undefined)
        .finally(() => this.opening--);
    }
  }

  private drop(ch: Duplex): void {
    const i = this.idle.indexOf(ch);
    if (i >= 0) this.idle.splice(i, 1);
  }

  /** Drops warm channels (the SSH connection went away); refill() starts over. */
  clear(): void {
    for (const ch of this.idle.splice(0)) ch.destroy();
  }

  close(): void {
    this.closed = true;
    this.clear();
  }
}
