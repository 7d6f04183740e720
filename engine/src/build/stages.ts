/**
 * Turns the parsed Dockerfile into global ARGs and stages, checking up front (as dockerd does before the first
 * step runs) instruction names, flags, FROM's shape and stage names; cuts at `--target` and, for the classic
 * builder, appends `--label`s as one more LABEL step of the last stage.
 */
import { InvalidArgument } from '../base/errors.js';
import { parseError, type Node } from './dockerfile/parse.js';
import type { BuildOptions } from './options.js';
import { flagBool, parseFlags, type FlagSpec, type Stage } from './state.js';

export const FLAGS: Record<string, FlagSpec> = {
  from: { platform: 'string' },
  run: { mount: 'string', network: 'string', security: 'string' },
  copy: { from: 'string', chown: 'string', chmod: 'string', link: 'bool', parents: 'bool', exclude: 'string' },
  add: { chown: 'string', chmod: 'string', link: 'bool', checksum: 'string', 'keep-git-dir': 'bool', exclude: 'string' },
  healthcheck: { interval: 'string', timeout: 'string', 'start-period': 'string', 'start-interval': 'string', retries: 'string' },
  cmd: {}, entrypoint: {}, env: {}, arg: {}, label: {}, expose: {}, workdir: {}, user: {}, volume: {}, stopsignal: {},
  shell: {}, onbuild: {}, maintainer: {},
};

const BUILDKIT_ONLY = new Set(['mount', 'network', 'security']);
const BUILDKIT_ONLY_SWITCHES = new Set(['link', 'keep-git-dir']);
const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

function check(node: Node, buildkit: boolean): void {
  const spec = FLAGS[node.cmd];
  if (!spec) throw parseError(node.startLine, `unknown instruction: ${node.cmd.toUpperCase()}`);
  let flags: Map<string, string>;
  try {
    flags = parseFlags(node, spec);
  } catch (err) {
    throw parseError(node.startLine, (err as Error).message);
  }
  for (const [f, v] of flags) {
    // The classic builder refuses BuildKit's flags, as dockerd's does: RUN's mounts and sandboxes, COPY/ADD --link
    // (an independent layer) and ADD --keep-git-dir (Git sources) when switched on.
    const unsupported = !buildkit && (node.cmd === 'run' ? BUILDKIT_ONLY.has(f) : BUILDKIT_ONLY_SWITCHES.has(f) && flagBool(v) === true);
    if (unsupported) {
      throw parseError(node.startLine, `the --${f} option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled`);
    }
  }
  const needsArgs = ['from', 'env', 'arg', 'label', 'expose', 'workdir', 'user', 'volume', 'stopsignal', 'maintainer', 'onbuild', 'shell'];
  if (needsArgs.includes(node.cmd) && node.rest === '' && !node.json) {
    throw parseError(node.startLine, `${node.cmd.toUpperCase()} requires at least one argument`);
  }
  if ((node.cmd === 'copy' || node.cmd === 'add') && node.heredocs.length === 0) {
    const n = node.json ? node.json.length : node.rest.split(/\s+/).filter(Boolean).length;
    if (n < 2) throw parseError(node.startLine, `${node.cmd.toUpperCase()} requires at least two arguments, but only one was provided. Destination could not be determined.`);
  }
  if (node.cmd === 'shell' && !node.json) throw parseError(node.startLine, 'SHELL requires the arguments to be in JSON form');
}

function stageName(node: Node): string | undefined {
  const words = node.rest.split(/\s+/).filter(Boolean);
  if (words.length !== 1 && !(words.length === 3 && words[1]!.toLowerCase() === 'as')) {
    throw parseError(node.startLine, 'FROM requires either one or three arguments');
  }
  if (words.length === 1) return undefined;
  const name = words[2]!.toLowerCase();
  if (!STAGE_NAME.test(name)) {
    throw parseError(node.startLine, `invalid name for build stage: "${words[2]}", name can't start with a number or contain symbols`);
  }
  return name;
}

export function splitStages(nodes: Node[], opts: BuildOptions, dockerfileName: string): { metaArgs: Node[]; stages: Stage[] } {
  const metaArgs: Node[] = [];
  let stages: Stage[] = [];
  for (const node of nodes) {
    check(node, opts.buildkit ?? false);
    if (node.cmd === 'from') {
      const name = stageName(node);
      if (name && stages.some((s) => s.name === name)) throw parseError(node.startLine, `duplicate name ${name}`);
      stages.push({ name, from: node, commands: [] });
    } else if (stages.length === 0) {
      if (node.cmd !== 'arg') throw parseError(node.startLine, 'no build stage in current context');
      metaArgs.push(node);
    } else stages[stages.length - 1]!.commands.push(node);
  }
  if (stages.length === 0) throw new InvalidArgument(`the Dockerfile (${dockerfileName}) cannot be empty`);
  if (opts.target) {
    const i = stages.findIndex((s) => s.name === opts.target.toLowerCase());
    if (i < 0) throw new InvalidArgument(`failed to reach build target ${opts.target} in Dockerfile`);
    stages = stages.slice(0, i + 1);
  }
  const labels = Object.entries(opts.labels).sort(([a], [b]) => (a < b ? -1 : 1));
  // BuildKit sets them on the target's config without a step of their own (Builder.applyLabels).
  if (labels.length && !opts.buildkit) {
    const rest = labels.map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`).join(' ');
    const last = stages[stages.length - 1]!;
    last.commands.push({ cmd: 'label', original: `LABEL ${rest}`, flags: [], rest, heredocs: [], startLine: 0, endLine: 0 });
  }
  return { metaArgs, stages };
}
