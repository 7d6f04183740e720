// The React fixture extension's UI (react-ui/): a real extension front end built from the npm registry's
// @docker/extension-api-client, @docker/docker-mui-theme, React 18 and MUI 5 with vite, as authors build theirs.
// Built once per source hash into .cache/ext-react-ui/<hash>/ (npm ci in a temporary folder, then vite build
// with the workspace's vite); later runs read the cached files.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../paths.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// The sources sit in src/ (tsc does not copy them to dist).
const SOURCE = path.join(HERE.replace(`${path.sep}dist${path.sep}`, `${path.sep}src${path.sep}`), 'react-ui');
const CACHE = path.join(repoRoot, '.cache', 'ext-react-ui');

export interface BuiltFile {
  /** Path relative to the UI root, with `/`. */
  path: string;
  content: Buffer;
}

async function walk(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(root, p)));
    else out.push(p);
  }
  return out.sort();
}

async function sourceHash(): Promise<string> {
  const h = createHash('sha256');
  for (const p of await walk(SOURCE)) h.update(p).update('\0').update(await readFile(path.join(SOURCE, p)));
  return h.digest('hex').slice(0, 16);
}

function run(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${err.slice(-2000)}`))));
  });
}

async function build(out: string): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'berth-ext-react-'));
  try {
    await cp(SOURCE, work, { recursive: true });
    // Its own dependency tree (React 18 and MUI 5, not the dashboard's React), from the committed lock file.
    await run('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], work);
    const vite = await import('vite');
    const staging = `${out}.tmp-${randomBytes(4).toString('hex')}`;
    await vite.build({
      root: work, configFile: false, base: './', logLevel: 'error', publicDir: false,
      build: { outDir: staging, emptyOutDir: true, sourcemap: false, reportCompressedSize: false },
    });
    // Another process may have built the same hash meanwhile: its copy is as good as this one.
    await rename(staging, out).catch(async (e: NodeJS.ErrnoException) => {
      await rm(staging, { recursive: true, force: true });
      if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

let building: Promise<string> | undefined;

/** The built UI's folder (index.html and assets/), building it first when the sources changed. */
export function reactUiDir(): Promise<string> {
  building ??= (async () => {
    const out = path.join(CACHE, await sourceHash());
    if (!(await stat(path.join(out, 'index.html')).catch(() => undefined))) {
      await mkdir(CACHE, { recursive: true });
      await build(out);
    }
    return out;
  })().catch((e: unknown) => {
    building = undefined;
    throw e;
  });
  return building;
}

/** The built UI's files, for an image layer. */
export async function reactUiFiles(): Promise<BuiltFile[]> {
  const dir = await reactUiDir();
  return Promise.all((await walk(dir)).map(async (p) => ({ path: p, content: await readFile(path.join(dir, p)) })));
}
