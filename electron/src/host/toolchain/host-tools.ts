import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { ensureContext } from '../context/docker-context.js';
import type { BerthPaths } from '../paths.js';
import { bundledToolsDir, listBundledTools } from './bundled-tools.js';
import { DockerConfigSetup, type DockerSetupResult } from './docker-config-setup.js';
import { dockerConfigDir } from './docker-config-file.js';
import { readHostChanges, writeHostChanges } from './host-changes.js';
import { linkBundledTools, removeLinkIfOurs, type LinkOutcome } from './tool-links.js';

const HELPER = process.platform === 'win32' ? 'docker-credential-berth.cmd' : 'docker-credential-berth';

export interface HostToolsReport {
  toolsDir?: string;
  links: LinkOutcome[];
  config?: DockerSetupResult;
  /** Why config.json was left alone (e.g. it is not valid JSON). */
  configError?: string;
  /** The line a user adds to their shell profile. */
  pathLine: string;
  /** Whether ~/.berth/bin is on this process's PATH already. */
  onPath: boolean;
}

/** Whether `dir` is one of the entries of `PATH`. */
export function onPath(dir: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.PATH ?? '').split(path.delimiter).some((p) => p && path.resolve(p) === path.resolve(dir));
}

export function whichOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/**
 * What every start does on the user's side: the `berth` context at `socket`, links to the bundled tools in
 * ~/.berth/bin and ~/.berth/cli-plugins, that plugin dir in config.json, `credsStore: berth` on first start, and
 * (when `useContext`) `berth` as the current context.
 */
export function setUpHostTools(opts: { paths: BerthPaths; socket: string; useContext: boolean; env?: NodeJS.ProcessEnv }): HostToolsReport {
  const env = opts.env ?? process.env;
  const configDir = dockerConfigDir(env);
  const toolsDir = bundledToolsDir(env);
  const tools = toolsDir ? listBundledTools(toolsDir) : [];
  const links = tools.length ? linkBundledTools(tools, opts.paths, configDir) : [];
  const report: HostToolsReport = {
    ...(toolsDir ? { toolsDir } : {}),
    links,
    pathLine: `export PATH="${opts.paths.bin}:$PATH"`,
    onPath: onPath(opts.paths.bin, env),
  };
  try {
    const hasPlugins = tools.some((t) => t.kind === 'plugin');
    // credsStore "berth" names a program the docker CLI must find: Berth's own link, or one already on PATH.
    const helperAvailable = tools.some((t) => t.kind === 'bin' && /^docker-credential-berth(\.(exe|cmd))?$/.test(t.name)) || !!whichOnPath(HELPER, env);
    report.config = new DockerConfigSetup(opts.paths, configDir).apply({
      ...(hasPlugins ? { pluginsDir: opts.paths.cliPlugins } : {}),
      useContext: opts.useContext,
      helperAvailable,
    });
  } catch (err) {
    report.configError = (err as Error).message;
  }
  // After config.json's record, which notes whether the docker config dir existed before Berth made anything there.
  ensureContext(opts.socket, env);
  return report;
}

export function formatHostToolsReport(r: HostToolsReport): string {
  const lines: string[] = [];
  if (!r.toolsDir) lines.push('No bundled docker CLI tools found (a checkout gets them from scripts/setup.sh).');
  const linked = r.links.filter((l) => l.state === 'linked' || l.state === 'kept');
  for (const dir of new Set(linked.map((l) => path.dirname(l.path)))) {
    lines.push(`Linked in ${dir}: ${linked.filter((l) => path.dirname(l.path) === dir).map((l) => l.name).join(', ')}`);
  }
  for (const l of r.links) {
    if (l.state === 'user-newer') lines.push(`Kept your ${l.name} ${l.version} (${l.by}): newer than Berth's.`);
    if (l.state === 'taken') lines.push(`Left ${l.path} alone: Berth did not make it.`);
  }
  if (!r.onPath && r.toolsDir) lines.push(`Add Berth's tools to your PATH (in your shell profile):\n    ${r.pathLine}`);
  if (r.configError) lines.push(`config.json: ${r.configError}`);
  const c = r.config;
  if (c) {
    if (c.credsStore === 'set') lines.push(`Registry logins now go to the OS keychain (credsStore "berth" in ${c.file}).`);
    if (c.credsStore === 'no-helper') lines.push('docker-credential-berth is not among the bundled tools: credsStore left as it is (docker login keeps its usual store).');
    if (c.credsStore === 'awaiting-consent') {
      lines.push(`${c.plaintext.length} registry login(s) are stored in plain text in ${c.file} (${c.plaintext.join(', ')}).\n    Move them to the OS keychain: berth credentials migrate`);
    }
    lines.push(`Current docker context: ${c.currentContext}`);
  }
  return lines.join('\n');
}

/**
 * `berth uninstall`: config.json back as it was (see DockerConfigSetup.undo) and the links Berth made outside its home
 * (e.g. /usr/local/bin), each removed only while it still points where Berth pointed it. A link in a dir this user may
 * not write is reported, not fatal.
 */
export function undoHostTools(
  paths: BerthPaths,
  erasedLogins: string[],
  env: NodeJS.ProcessEnv = process.env,
): { config: string; links: string[]; failed: { path: string; reason: string }[] } {
  const config = new DockerConfigSetup(paths, dockerConfigDir(env)).undo(erasedLogins);
  const changes = readHostChanges(paths.hostChanges);
  const removed: string[] = [];
  const failed: { path: string; reason: string }[] = [];
  for (const l of changes.links) {
    try {
      if (removeLinkIfOurs(l.path, l.target)) removed.push(l.path);
    } catch (err) {
      failed.push({ path: l.path, reason: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
    }
  }
  writeHostChanges(paths.hostChanges, { ...changes, links: changes.links.filter((l) => failed.some((f) => f.path === l.path)) });
  return { config, links: removed, failed };
}
