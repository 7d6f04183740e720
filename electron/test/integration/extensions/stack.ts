// What the extension integration and e2e tests share: the rig's registry and berthd, the fixture extensions
// pushed to it, a temporary BERTH_HOME, and the rig's docker CLI + Compose for Berth to run backends with.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bundledDockerBinary, testDockerConfigDir } from '../../../../scripts/src/testrig/toolchain.js';
import {
  pushExtensionFixtures, pushReactExtension, repoRoot, startBerthd, startRegistry, type PushedExtensions, type RunningBerthd, type TestRegistry,
} from '../../../../scripts/src/testrig/index.js';

export interface Toolchain {
  /** The docker CLI binary. */
  docker: string;
  /** A DOCKER_CONFIG whose cliPluginsExtraDirs reach Compose. */
  configDir: string;
}

/** The rig's bundled docker CLI and Compose (scripts/src/testrig/toolchain.ts), or why it cannot be had here. */
export async function rigToolchain(): Promise<Toolchain | string> {
  try {
    return { docker: bundledDockerBinary(), configDir: testDockerConfigDir() };
  } catch (e) {
    return `the rig's docker toolchain is not available (${(e as Error).message.split('\n')[0]})`;
  }
}

export const PLUGIN = path.join(repoRoot, 'electron', 'bin', 'docker-extension');
export const BERTH = path.join(repoRoot, 'electron', 'bin', 'berth');

export interface ExtStack {
  registry: TestRegistry;
  berthd: RunningBerthd;
  exts: PushedExtensions;
  /** The React + MUI fixture (`react-ui/`), when asked for: its npm install and vite build are cached. */
  reactExt?: string;
  toolchain: Toolchain;
  /** BERTH_HOME of this test file. */
  home: string;
  /** DOCKER_CONFIG reaching Compose and the docker-extension plugin. */
  configDir: string;
  /** The environment `berth extension` and `docker extension` run with. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function startExtStack(toolchain: Toolchain, opts: { react?: boolean } = {}): Promise<ExtStack> {
  const registry = await startRegistry();
  const stops: (() => Promise<unknown>)[] = [() => registry.stop()];
  const stop = async () => { for (const s of stops.reverse()) await s().catch(() => undefined); };
  try {
    const exts = await pushExtensionFixtures(registry);
    const reactExt = opts.react ? await pushReactExtension(registry) : undefined;
    const berthd = await startBerthd({ insecureRegistries: [registry.host] });
    stops.push(() => berthd.stop());
    const work = await mkdtemp(path.join(os.tmpdir(), 'berth-ext-'));
    stops.push(() => rm(work, { recursive: true, force: true }));
    const home = path.join(work, 'home');
    const plugins = path.join(work, 'cli-plugins');
    await mkdir(plugins, { recursive: true });
    await symlink(PLUGIN, path.join(plugins, 'docker-extension'));
    const configDir = path.join(work, 'docker-config');
    await mkdir(configDir);
    const base = JSON.parse(await readFile(path.join(toolchain.configDir, 'config.json'), 'utf8').catch(() => '{}')) as { cliPluginsExtraDirs?: string[] };
    await writeFile(path.join(configDir, 'config.json'), JSON.stringify({ cliPluginsExtraDirs: [...(base.cliPluginsExtraDirs ?? []), plugins] }));
    const env: NodeJS.ProcessEnv = {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DOCKER_'))),
      BERTH_HOME: home,
      DOCKER_HOST: berthd.dockerHost,
      DOCKER_CONFIG: configDir,
      BERTH_DOCKER_CLI: toolchain.docker,
      DOCKER_CLI_HINTS: 'false',
    };
    return { registry, berthd, exts, ...(reactExt ? { reactExt } : {}), toolchain, home, configDir, env, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

export interface Run { code: number; stdout: string; stderr: string }

export function run(bin: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 128, stdout, stderr }));
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** `berth extension ARGS`, as a user runs it. */
export const berthExt = (s: ExtStack, args: string[], input?: string) => run(process.execPath, [BERTH, 'extension', ...args], s.env, input);
/** The real docker CLI (the rig's), which runs the docker-extension plugin for `docker extension …`. */
export const dockerCli = (s: ExtStack, args: string[]) => run(s.toolchain.docker, args, s.env);
