/**
 * The instructions that change the image config only (ENV, LABEL, ARG, CMD, ENTRYPOINT, EXPOSE, USER, VOLUME,
 * STOPSIGNAL, HEALTHCHECK, SHELL, ONBUILD, MAINTAINER), each committed as a config-only step keyed on dockerd's
 * `#(nop)` text, which is the classic builder's history; BuildKit's history has its own words for EXPOSE,
 * HEALTHCHECK and SHELL and none for ONBUILD. WORKDIR, RUN, COPY and ADD are routed to their own modules.
 */
import { InvalidArgument } from '../base/errors.js';
import type { Builder } from './builder.js';
import { exposeHistory, goList, healthcheckHistory } from './buildkit-history.js';
import { dispatchCopy } from './dispatch-copy.js';
import { dispatchRun } from './dispatch-run.js';
import { dispatchWorkdir } from './dispatch-workdir.js';
import type { Node } from './dockerfile/parse.js';
import { processWord, processWords, rawWords, splitKeyValues } from './dockerfile/shell-lex.js';
import { goQuoted, parseFlags, setEnv, type StageState } from './state.js';
import { FLAGS } from './stages.js';

/** Go duration strings (`30s`, `1m30s`, `500ms`) in nanoseconds. */
export function parseDuration(flag: string, s: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  let rest = s;
  if (rest === '0') return 0;
  while (rest !== '') {
    const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!m) throw new InvalidArgument(`time: invalid duration "${s}"`);
    total += Number(m[1]) * units[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  if (total < 1e6 && total !== 0) throw new InvalidArgument(`Interval "${flag}" cannot be less than 1ms`);
  return Math.round(total);
}

function commandForm(b: Builder, state: StageState, node: Node): string[] {
  return node.json ?? [...b.shell(state), node.rest];
}

function keyValues(b: Builder, state: StageState, node: Node, instruction: string): Array<[string, string]> {
  const env = b.expansionEnv(state);
  return splitKeyValues(node.rest, instruction, b.escape).map(([k, v]) => [processWord(k, env, b.escape), processWord(v, env, b.escape)]);
}

function healthcheck(node: Node): Record<string, unknown> {
  const flags = parseFlags(node, FLAGS.healthcheck!);
  const words = /^(\S+)\s*([\s\S]*)$/.exec(node.rest);
  const kind = words?.[1]?.toUpperCase();
  if (kind === 'NONE') {
    if (words![2] || flags.size) throw new InvalidArgument('HEALTHCHECK NONE takes no arguments');
    return { Test: ['NONE'] };
  }
  if (kind !== 'CMD') throw new InvalidArgument(`Unknown type "${words?.[1] ?? ''}" in HEALTHCHECK (try CMD)`);
  const rest = words![2]!;
  let json: string[] | undefined;
  try {
    const v: unknown = JSON.parse(rest);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) json = v as string[];
  } catch {
    // shell form
  }
  const hc: Record<string, unknown> = { Test: json ? ['CMD', ...json] : ['CMD-SHELL', rest] };
  const durations: Array<[string, string]> = [['interval', 'Interval'], ['timeout', 'Timeout'], ['start-period', 'StartPeriod'], ['start-interval', 'StartInterval']];
  for (const [flag, field] of durations) {
    const v = flags.get(flag);
    if (v !== undefined) hc[field] = parseDuration(flag, v);
  }
  const retries = flags.get('retries');
  if (retries !== undefined) {
    const n = Number(retries);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgument('--retries cannot be negative');
    hc.Retries = n;
  }
  return hc;
}

function declareArgs(b: Builder, state: StageState, node: Node): string[] {
  const names: string[] = [];
  const env = b.expansionEnv(state);
  for (const w of rawWords(node.rest, b.escape)) {
    const eq = w.indexOf('=');
    const name = eq < 0 ? w : w.slice(0, eq);
    const dflt = eq < 0 ? b.metaArg(name) : processWord(w.slice(eq + 1), env, b.escape);
    const given = b.opts.buildArgs.get(name);
    if (given !== undefined) b.markArgUsed(name);
    state.args.set(name, given ?? dflt);
    names.push(eq < 0 ? name : `${name}=${w.slice(eq + 1)}`);
  }
  return names;
}

export async function dispatch(b: Builder, state: StageState, node: Node): Promise<void> {
  const c = state.config;
  const env = (): Map<string, string> => b.expansionEnv(state);
  switch (node.cmd) {
    case 'run':
      return dispatchRun(b, state, node);
    case 'copy':
    case 'add':
      return dispatchCopy(b, state, node);
    case 'workdir':
      return dispatchWorkdir(b, state, processWord(node.rest, env(), b.escape));
    case 'env': {
      const pairs = keyValues(b, state, node, 'ENV');
      for (const [k, v] of pairs) setEnv(c, k, v);
      return b.commitConfig(state, `ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`);
    }
    case 'label': {
      const pairs = keyValues(b, state, node, 'LABEL');
      c.Labels = { ...(c.Labels ?? {}) };
      for (const [k, v] of pairs) c.Labels[k] = v;
      return b.commitConfig(state, `LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`);
    }
    case 'arg':
      return b.commitConfig(state, `ARG ${declareArgs(b, state, node).join(' ')}`);
    case 'cmd': {
      c.Cmd = commandForm(b, state, node);
      state.cmdSet = true;
      // BuildKit marks the command as escaped already, as dockerd's Windows builder does.
      if (b.opts.buildkit) c.ArgsEscaped = true;
      return b.commitConfig(state, `CMD ${goQuoted(c.Cmd)}`);
    }
    case 'entrypoint': {
      c.Entrypoint = node.json ?? (node.rest === '' ? null : [...b.shell(state), node.rest]);
      if (!state.cmdSet) c.Cmd = null;
      return b.commitConfig(state, `ENTRYPOINT ${goQuoted(c.Entrypoint ?? [])}`);
    }
    case 'expose': {
      const ports = processWords(node.rest, env(), b.escape).flatMap(expandPorts);
      c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
      for (const p of ports) c.ExposedPorts[p] = {};
      return b.commitConfig(state, `EXPOSE map[${Object.keys(c.ExposedPorts).sort().map((p) => `${p}:{}`).join(' ')}]`, exposeHistory(ports));
    }
    case 'user':
      c.User = processWord(node.rest, env(), b.escape);
      return b.commitConfig(state, `USER ${c.User}`);
    case 'volume': {
      const vols = node.json ?? processWords(node.rest, env(), b.escape);
      c.Volumes = { ...(c.Volumes ?? {}) };
      for (const v of vols) {
        if (v.trim() === '') throw new InvalidArgument('VOLUME specified can not be an empty string');
        c.Volumes[v] = {};
      }
      return b.commitConfig(state, `VOLUME [${vols.join(' ')}]`);
    }
    case 'stopsignal':
      c.StopSignal = processWord(node.rest, env(), b.escape);
      return b.commitConfig(state, `STOPSIGNAL ${c.StopSignal}`);
    case 'healthcheck': {
      const hc = healthcheck(node);
      c.Healthcheck = hc;
      return b.commitConfig(state, `HEALTHCHECK ${JSON.stringify(hc)}`, healthcheckHistory(hc));
    }
    case 'shell':
      c.Shell = node.json!;
      return b.commitConfig(state, `SHELL ${goQuoted(c.Shell)}`, `SHELL ${goList(c.Shell)}`);
    case 'onbuild': {
      const inner = /^(\S+)/.exec(node.rest)![1]!.toUpperCase();
      if (inner === 'ONBUILD') throw new InvalidArgument("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (inner === 'FROM' || inner === 'MAINTAINER') throw new InvalidArgument(`${inner} isn't allowed as an ONBUILD trigger`);
      c.OnBuild = [...(c.OnBuild ?? []), node.rest];
      // BuildKit records no history entry for ONBUILD.
      return b.commitConfig(state, `ONBUILD ${node.rest}`, null);
    }
    case 'maintainer':
      state.author = node.rest;
      return b.commitConfig(state, `MAINTAINER ${node.rest}`);
    default:
      throw new InvalidArgument(`unknown instruction: ${node.cmd.toUpperCase()}`);
  }
}

/** `80`, `80/udp`, `8000-8002/tcp` as dockerd's nat.ParsePortSpecs reads them. */
export function expandPorts(spec: string): string[] {
  const [range, proto = 'tcp'] = spec.split('/');
  const m = /^(\d+)(?:-(\d+))?$/.exec(range ?? '');
  if (!m) throw new InvalidArgument(`Invalid containerPort: ${spec}`);
  const start = Number(m[1]);
  const end = m[2] ? Number(m[2]) : start;
  if (end < start) throw new InvalidArgument(`Invalid range specified for the Port: ${spec}`);
  const out: string[] = [];
  for (let p = start; p <= end; p++) out.push(`${p}/${proto.toLowerCase()}`);
  return out;
}
