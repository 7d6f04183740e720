/** What a build stage carries from one instruction to the next, and the helpers every instruction uses. */
import { InvalidArgument } from '../base/errors.js';
import type { ContainerConfigJson, ImageConfig } from '../images/deps.js';
import type { ImageRecord } from '../images/store.js';
import type { Platform } from '../registry/mediatypes.js';
import type { Node } from './dockerfile/parse.js';

export const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** Usable in RUN without an ARG line, and kept out of the image's history and the cache key unless declared. */
export const PROXY_ARGS = new Set([
  'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy',
]);

export interface Stage {
  name: string | undefined;
  from: Node;
  commands: Node[];
}

export interface CurrentImage {
  record: ImageRecord;
  config: ImageConfig;
}

export interface StageState {
  index: number;
  name: string | undefined;
  /** Undefined while a `FROM scratch` stage has committed nothing yet. */
  image: CurrentImage | undefined;
  config: ContainerConfigJson;
  platform: Platform;
  /** ARGs declared in this stage, with their values (undefined: declared without one). */
  args: Map<string, string | undefined>;
  /** CMD was set in this stage (ENTRYPOINT then keeps it). */
  cmdSet: boolean;
  author: string | undefined;
}

export function envKey(e: string): string {
  const eq = e.indexOf('=');
  return eq < 0 ? e : e.slice(0, eq);
}

export function setEnv(config: ContainerConfigJson, key: string, value: string): void {
  const env = (config.Env ?? []).filter((e) => envKey(e) !== key);
  env.push(`${key}=${value}`);
  config.Env = env;
}

/** Declared ARGs (and proxy args the user passed) that ENV does not shadow, as `k=v`, sorted. */
export function buildArgEnv(state: StageState, buildArgs: ReadonlyMap<string, string | null>, includeProxies: boolean): string[] {
  const envKeys = new Set((state.config.Env ?? []).map(envKey));
  const out = new Map<string, string>();
  for (const [k, v] of state.args) if (v !== undefined && !envKeys.has(k)) out.set(k, v);
  if (includeProxies) {
    for (const [k, v] of buildArgs) if (PROXY_ARGS.has(k) && v !== null && !out.has(k) && !envKeys.has(k)) out.set(k, v);
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`);
}

/** The environment `$VAR` expands against: stage ARGs (and proxy args), overridden by ENV. */
export function expansionEnv(state: StageState, buildArgs: ReadonlyMap<string, string | null>): Map<string, string> {
  const env = new Map<string, string>();
  for (const e of buildArgEnv(state, buildArgs, true)) env.set(envKey(e), e.slice(envKey(e).length + 1));
  for (const e of state.config.Env ?? []) env.set(envKey(e), e.includes('=') ? e.slice(envKey(e).length + 1) : '');
  return env;
}

export type FlagSpec = Record<string, 'string' | 'bool'>;

/** `--name=value` flags of one instruction; unknown ones are refused as dockerd refuses them. */
export function parseFlags(node: Node, spec: FlagSpec): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of node.flags) {
    const body = f.slice(2);
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const kind = spec[name];
    if (!kind) throw new InvalidArgument(`Unknown flag: ${name}`);
    if (kind === 'string' && eq < 0) throw new InvalidArgument(`Missing a value on flag: ${name}`);
    const value = eq < 0 ? 'true' : body.slice(eq + 1);
    if (kind === 'bool' && flagBool(value) === undefined) throw new InvalidArgument(`expecting boolean value for flag ${name}, not: ${value}`);
    out.set(name, value);
  }
  return out;
}

/** A boolean flag's value as Go's strconv.ParseBool reads it (what BuildKit's flag parser uses). */
export function flagBool(value: string | undefined): boolean | undefined {
  if (value === undefined) return false;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/** Every value of a flag that may be given more than once (`--exclude`), in order. */
export function flagValues(node: Node, name: string): string[] {
  return node.flags.filter((f) => f.startsWith(`--${name}=`)).map((f) => f.slice(name.length + 3));
}

/** Go's `%q` of a string slice, which is how dockerd writes CMD/ENTRYPOINT into history. */
export function goQuoted(words: string[]): string {
  return `[${words.map((w) => JSON.stringify(w)).join(' ')}]`;
}
