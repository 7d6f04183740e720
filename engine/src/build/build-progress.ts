/**
 * Where a build's progress goes, for both front doors: the classic builder's text stream (`Step N/M : …`,
 * ` ---> Running in …`, stderr in bright red) or, given `BuildOutput.events` (BuildKit), one event per step with
 * its log, CACHED and error. The step in progress is tracked per running stage (AsyncLocalStorage), since with
 * events independent stages run at once.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Node } from './dockerfile/parse.js';
import type { StepEvents, StepHandle } from './step-events.js';

export interface BuildOutput {
  /** Text for the `{"stream": …}` lines. */
  stream(text: string): void;
  /** Any other message (pull progress) passed through as is. */
  message(m: Record<string, unknown>): void;
  /** When set, progress goes here as step events instead of the classic `Step N/M` text. */
  events?: StepEvents;
  /** Aborting stops the build: the running step's container is killed and no further step starts. */
  signal?: AbortSignal;
}

export class BuildProgress {
  private step = 0;
  /** Steps of the whole Dockerfile (the `M` of `Step N/M`). */
  total = 0;
  /** The step event in progress (events mode), per concurrently running stage. */
  private readonly currentStep = new AsyncLocalStorage<StepHandle>();

  constructor(
    private readonly out: BuildOutput,
    /** Aborted: a failing step shows as cancelled, as in BuildKit. */
    private readonly signal: AbortSignal,
  ) {}

  get events(): boolean {
    return this.out.events !== undefined;
  }

  /** The step event in progress in this stage (events mode). */
  get current(): StepHandle | undefined {
    return this.currentStep.getStore();
  }

  /** Counts a Dockerfile line as a step; the classic stream prints it. */
  printStep(node: Node): void {
    this.step++;
    if (!this.out.events) this.out.stream(`Step ${this.step}/${this.total} : ${node.original}\n`);
  }

  warn(text: string): void {
    if (this.out.events) this.out.events.warning(text);
    else this.out.stream(`${text}\n`);
  }

  /**
   * Output of the running step: its log (stream 1 or 2) in events mode; the build stream otherwise, where dockerd's
   * classic builder shows each stderr write in bright red (`\x1b[91m…\x1b[0m`).
   */
  log(data: Buffer, stream: 'stdout' | 'stderr' = 'stdout'): void {
    if (this.out.events) this.current?.log(data, stream === 'stderr' ? 2 : 1);
    else this.out.stream(stream === 'stderr' ? `\x1b[91m${data.toString('utf8')}\x1b[0m` : data.toString('utf8'));
  }

  /** Classic-builder chrome (` ---> Running in …`) that events mode leaves out. */
  chrome(text: string): void {
    if (!this.out.events) this.out.stream(text);
  }

  /** Pull progress in the classic stream (events mode shows it under the step instead). */
  message(m: Record<string, unknown>): void {
    this.out.message(m);
  }

  /**
   * The running step's log as a function bound to that step, for output that arrives outside the step's own async
   * context (a container's output pump).
   */
  stepLog(): (data: Buffer, stream: 'stdout' | 'stderr') => void {
    const handle = this.current;
    if (!this.out.events) return (data, stream) => this.log(data, stream);
    return (data, stream) => handle?.log(data, stream === 'stderr' ? 2 : 1);
  }

  /** Runs `work` as one step event (events mode), ending it with its outcome. */
  async asStep<T>(name: string | undefined, work: () => Promise<T>): Promise<T> {
    if (!this.out.events || name === undefined) return work();
    const handle = this.out.events.begin(name);
    try {
      const r = await this.currentStep.run(handle, work);
      handle.end();
      return r;
    } catch (err) {
      // A step stopped because another stage failed (or the client went away) shows as cancelled, as in BuildKit.
      handle.end(this.signal.aborted ? new Error('context canceled') : err);
      throw err;
    }
  }
}
