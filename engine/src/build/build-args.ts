/**
 * A build's global ARGs (those before the first FROM, which FROM lines and stages that redeclare them see), the
 * automatic platform ARGs of a BuildKit build, and which `--build-arg`s some ARG consumed (the rest get dockerd's
 * warning).
 */
import type { Node } from './dockerfile/parse.js';
import { processWords } from './dockerfile/shell-lex.js';
import { PROXY_ARGS } from './state.js';

export class BuildArgs {
  private readonly meta = new Map<string, string | undefined>();
  /** Automatic platform ARGs (events mode): defined without an ARG line, never reported as unused build args. */
  private auto = new Map<string, string>();
  private readonly used = new Set<string>();

  constructor(private readonly given: Map<string, string | null>) {}

  /** BuildKit's automatic ARGs (TARGETPLATFORM, …): meta args unless a `--build-arg` sets them. */
  automatic(args: Map<string, string>): void {
    this.auto = args;
    for (const [k, v] of args) if (!this.given.has(k)) this.meta.set(k, v);
  }

  /** An `ARG` line before the first FROM. */
  declare(node: Node, escape: string): void {
    for (const w of processWords(node.rest, new Map(), escape)) {
      const eq = w.indexOf('=');
      const name = eq < 0 ? w : w.slice(0, eq);
      const given = this.given.get(name);
      if (given !== undefined) this.used.add(name);
      // `ARG TARGETPLATFORM` (no value) keeps the automatic value.
      this.meta.set(name, given ?? (eq < 0 ? this.meta.get(name) : w.slice(eq + 1)));
    }
  }

  get(name: string): string | undefined {
    return this.meta.get(name);
  }

  markUsed(name: string): void {
    this.used.add(name);
  }

  /** The meta args with a value, for expanding FROM lines. */
  env(): Map<string, string> {
    const env = new Map<string, string>();
    for (const [k, v] of this.meta) if (v !== undefined) env.set(k, v);
    return env;
  }

  /** `--build-arg`s no ARG consumed (proxy and automatic ones are never reported), sorted. */
  unused(): string[] {
    return [...this.given.keys()].filter((k) => !this.used.has(k) && !PROXY_ARGS.has(k) && !this.auto.has(k)).sort();
  }
}
