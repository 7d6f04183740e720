import type { Duplex } from 'node:stream';

/**
 * How long a warm channel is offered. berthd closes a connection that sends no request for a minute (its header
 * timeout); a channel older than this is replaced rather than risk handing out one whose close is still in flight.
 */
const MAX_IDLE_MS = 20_000;

interface Warm {
  ch: Duplex;
  since: number;
  /** Detaches the pool's listeners before the channel is handed out. */
  release(): void;
}

/**
 * Keeps a few channels to the engine socket open ahead of need: opening one costs an SSH round trip (~10 ms under
 * TCG), taking a warm one costs nothing. A channel the far end ends or closes while it waits leaves the pool at its
 * EOF already (an ssh2 channel is half-open: EOF alone does not close it), and one near berthd's idle limit is not
 * offered at all: handed out while berthd's close is on its way, it answers the client's request with EOF (seen as
 * the likely cause of a `docker compose up` that failed with "EOF" after a minute-long pull in the VM under TCG).
 */
export class ChannelPool {
  private readonly idle: Warm[] = [];
  private opening = 0;
  private closed = false;

  constructor(
    private readonly open: () => Promise<Duplex>,
    private readonly size = 2,
    private readonly maxIdleMs = MAX_IDLE_MS,
  ) {}

  async take(): Promise<Duplex> {
    let warm = this.idle.shift();
    while (warm && Date.now() - warm.since > this.maxIdleMs) {
      warm.release();
      warm.ch.destroy();
      warm = this.idle.shift();
    }
    this.refill();
    if (warm) {
      warm.release();
      return warm.ch;
    }
    return this.open();
  }

  refill(): void {
    while (!this.closed && this.idle.length + this.opening < this.size) {
      this.opening++;
      this.open()
        .then((ch) => {
          if (this.closed) return void ch.destroy();
          this.idle.push(this.watch(ch));
        })
        // Not connected (VM stopping/starting): the next take() opens on demand and refills.
        .catch(() => undefined)
        .finally(() => this.opening--);
    }
  }

  /** Drops the channel from the pool when the far end ends or closes it while it waits. */
  private watch(ch: Duplex): Warm {
    const gone = () => {
      const i = this.idle.findIndex((w) => w.ch === ch);
      if (i >= 0) this.idle.splice(i, 1);
      ch.destroy();
    };
    ch.once('end', gone);
    ch.once('close', gone);
    ch.on('error', gone);
    // Flowing, so that an EOF is seen now rather than when the channel is read; berthd sends nothing before a request.
    ch.resume();
    return {
      ch,
      since: Date.now(),
      release: () => {
        ch.off('end', gone);
        ch.off('close', gone);
        ch.off('error', gone);
        // The new owner pipes it, which makes it flow again.
        ch.pause();
      },
    };
  }

  /** Drops warm channels (the SSH connection went away); refill() starts over. */
  clear(): void {
    for (const w of this.idle.splice(0)) {
      w.release();
      w.ch.destroy();
    }
  }

  close(): void {
    this.closed = true;
    this.clear();
  }
}
