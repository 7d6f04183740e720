import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startCredentialService, type CredentialService } from '../../testrig/credential-service.js';
import { keyringUnavailable, SECRET_TOOL, startKeyring, type TestKeyring } from '../../testrig/keyring.js';
import { repoRoot } from '../../testrig/paths.js';
import { defineScenario } from '../scenario.js';

const HELPER = path.join(repoRoot, 'electron', 'bin', 'docker-credential-berth');
const SERVER = '127.0.0.1:5999';

interface Ctx {
  keyring: TestKeyring;
  home: string;
  env: NodeJS.ProcessEnv;
  service?: CredentialService;
}

function helper(action: string, input: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(HELPER, [action], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`docker-credential-berth ${action} exited ${code}: ${out}`))));
    child.stdin.end(input);
  });
}

function startMs(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, { env, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const nodeStartMs = (env: NodeJS.ProcessEnv) => startMs('node', ['-e', '0'], env);

async function bashFloor(): Promise<string[]> {
  const runs = Array.from({ length: 11 }, () => startMs('/bin/bash', ['-c', ':'], process.env));
  return [`\`bash -c :\` alone: ${Math.round(median(runs))} ms median of 11`];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

type Mode = 'berth' | 'keyring' | 'node';

/**
 * What `docker pull` of a private image waits for before it talks to the engine: the docker CLI running
 * `docker-credential-berth get` (bin/docker-credential-berth, a bash launcher) for one stored login on gnome-keyring.
 * With Berth running (its host process serves the launcher: `berth credentials serve` here, the same service as in
 * `berth daemon` and the app) it is a bash start, one loopback round trip and one Secret Service lookup. Without
 * it, on Linux with secret-tool on PATH, bash reads the index and runs `secret-tool lookup` (`keyring`); with no
 * secret-tool (PATH holding only `node` here) the Node helper runs (Node's start, the keyring library, the lookup).
 */
function credentialHelperGetScenario(mode: Mode) {
  return defineScenario<Ctx>({
    name: { berth: 'credential-helper-get', keyring: 'credential-helper-get-no-berth', node: 'credential-helper-get-node' }[mode],
    description: {
      berth: '`docker-credential-berth get` of a stored login (gnome-keyring on a private D-Bus), Berth running, wall time per run',
      keyring: '`docker-credential-berth get` of a stored login (gnome-keyring on a private D-Bus), no Berth running (bash and secret-tool), wall time per run',
      node: '`docker-credential-berth get` of a stored login (gnome-keyring on a private D-Bus), no Berth running and no secret-tool (the Node helper), wall time per run',
    }[mode],
    unit: 'ms',
    better: 'lower',
    defaultIterations: 20,
    warmup: 2,
    // At the same load: a bare bash start (what no launcher can cut), plus for the keyring path secret-tool's own
    // lookup, or Node's own start (the launcher runs `node` without NODE_EXTRA_CA_CERTS: what no Node helper can cut).
    floor: mode === 'node' ? nodeFloor : bashFloor,
    ...(mode === 'keyring' ? { notes: secretToolAlone } : {}),
    unsupported: (target) => (target.kind !== 'berth' ? "Berth's own credential helper" : keyringUnavailable()),
    async setup() {
      // The Node helper as installed: the one-file bundle (scripts/setup.sh builds it; rebuilt here in case tsc ran since).
      const bundled = spawnSync(path.join(repoRoot, 'scripts', 'bundle-credential-helper.sh'), { encoding: 'utf8' });
      if (bundled.status !== 0) throw new Error(`bundling docker-credential-berth failed: ${bundled.stderr}`);
      const keyring = await startKeyring();
      const home = await mkdtemp(path.join(os.tmpdir(), 'berth-bench-creds-'));
      const env: NodeJS.ProcessEnv = { ...process.env, BERTH_HOME: home, ...keyring.env };
      try {
        await helper('store', JSON.stringify({ ServerURL: SERVER, Username: 'bench', Secret: 'bench-secret' }), env);
        const service = mode === 'berth' ? await startCredentialService(env) : undefined;
        if (mode === 'node') {
          await symlink(process.execPath, path.join(home, 'node'));
          env.PATH = home;
        }
        return { keyring, home, env, ...(service ? { service } : {}) };
      } catch (err) {
        await keyring.stop();
        await rm(home, { recursive: true, force: true });
        throw err;
      }
    },
    async run({ env }) {
      const out = await helper('get', SERVER, env);
      if (!out.includes('"Secret":"bench-secret"')) throw new Error(`docker-credential-berth get answered ${out}`);
    },
    async teardown({ keyring, home, service }) {
      await service?.stop();
      await keyring.stop();
      await rm(home, { recursive: true, force: true });
    },
  });
}

/** `secret-tool lookup` of the stored login alone, on the bench's keyring: what the keyring path adds to bash. */
async function secretToolAlone({ env }: Ctx): Promise<string[]> {
  const runs = Array.from({ length: 11 }, () => startMs(SECRET_TOOL, ['lookup', 'service', 'docker-credential-berth', 'username', SERVER], env));
  return [`\`secret-tool lookup\` alone: ${Math.round(median(runs))} ms median of 11`];
}

async function nodeFloor(): Promise<string[]> {
  const withoutCa = { ...process.env };
  delete withoutCa.NODE_EXTRA_CA_CERTS;
  const bare: number[] = [];
  const asSet: number[] = [];
  for (let i = 0; i < 11; i++) {
    bare.push(nodeStartMs(withoutCa));
    if (process.env.NODE_EXTRA_CA_CERTS) asSet.push(nodeStartMs(process.env));
  }
  const ca = asSet.length ? `; ${Math.round(median(asSet))} ms with this environment's NODE_EXTRA_CA_CERTS, which the helper drops` : '';
  return [`\`node -e 0\` alone: ${Math.round(median(bare))} ms median of 11${ca}`];
}

export default credentialHelperGetScenario('berth');
export const credentialHelperGetNoBerth = credentialHelperGetScenario('keyring');
export const credentialHelperGetNode = credentialHelperGetScenario('node');
