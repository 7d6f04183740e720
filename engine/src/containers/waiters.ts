export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

interface Waiter {
  id: string;
  condition: WaitCondition;
  resolve: (code: number) => void;
}

/** `POST /containers/{id}/wait` long-polls: registered here, released by exit and removal. */
export class Waiters {
  private readonly waiting = new Set<Waiter>();

  add(id: string, condition: WaitCondition): { promise: Promise<number>; cancel: () => void } {
    let waiter!: Waiter;
    const promise = new Promise<number>((resolve) => {
      waiter = { id, condition, resolve };
    });
    this.waiting.add(waiter);
    return { promise, cancel: () => this.waiting.delete(waiter) };
  }

  /** The container exited with `code`: release not-running and next-exit waiters. */
  exited(id: string, code: number): void {
    for (const w of [...this.waiting]) {
      if (w.id === id && w.condition !== 'removed') {
        this.waiting.delete(w);
        w.resolve(code);
      }
    }
  }

  removed(id: string, code: number): void {
    for (const w of [...this.waiting]) {
      if (w.id === id) {
        this.waiting.delete(w);
        w.resolve(code);
      }
    }
  }
}
