import { mkdtemp, readFile, rm, writeFile, open } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { freeLoopbackPort } from './ports.js';
import { spawnTracked, stopByPid, tail, waitUntil } from './processes.js';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

export interface RegistryAuth {
  username: string;
  password: string;
}

export interface StartRegistryOptions {
  /** Require HTTP basic auth (htpasswd) for every request. */
  auth?: RegistryAuth;
  /** How long to wait for `/v2/` to answer. */
  readyTimeoutMs?: number;
}

export interface TestRegistry {
  /** `127.0.0.1:PORT`, the form image references and `--insecure-registry` take. */
  host: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  storageDir: string;
  pid: number;
  auth?: RegistryAuth;
  /** The registry's own log (it writes to stderr). */
  logs(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts Debian's docker-registry (distribution 2.8) on a free loopback port with its own temp storage and config
 * (deletes enabled, so image-removal tests can delete manifests). Stops by PID and removes its directory.
 */
export async function startRegistry(opts: StartRegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'berth-registry-'));
  try {
    // A probed port can be taken by someone else before the registry binds it: try a few.
    for (let attempt = 1; ; attempt++) {
      try {
        return await startOnce(dir, opts);
      } catch (err) {
        if (attempt >= 3 || !/address already in use/.test(String(err))) throw err;
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function startOnce(dir: string, opts: StartRegistryOptions): Promise<TestRegistry> {
  const port = await freeLoopbackPort();
  const host = `127.0.0.1:${port}`;
  const url = `http://${host}`;
  const storageDir = path.join(dir, 'storage');
  const configPath = path.join(dir, 'config.yml');
  const logPath = path.join(dir, 'registry.log');
  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: 'info', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: storageDir },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr: host, secret: randomBytes(16).toString('hex') },
    health: { storagedriver: { enabled: false } },
  };
  if (opts.auth) {
    const htpasswd = path.join(dir, 'htpasswd');
    // Cost 4 is bcrypt's minimum: these are throwaway test credentials and every request verifies them.
    await writeFile(htpasswd, `${opts.auth.username}:${bcrypt.hashSync(opts.auth.password, 4)}\n`);
    config.auth = { htpasswd: { realm: 'berth-test-registry', path: htpasswd } };
  }
  // YAML is a superset of JSON, so the config needs no YAML writer.
  await writeFile(configPath, JSON.stringify(config, null, 2));

  const log = await open(logPath, 'w');
  const child = spawnTracked(REGISTRY_BINARY, ['serve', configPath], {
    stdio: ['ignore', log.fd, log.fd],
    env: { ...process.env, REGISTRY_HTTP_DEBUG_ADDR: '' },
  });
  await log.close();
  const logs = () => readFile(logPath, 'utf8').catch(() => '');

  try {
    await waitUntil(
      async () => {
        const res = await fetch(`${url}/v2/`);
        await res.arrayBuffer();
        return res.status === 200 || (opts.auth !== undefined && res.status === 401);
      },
      { child, timeoutMs: opts.readyTimeoutMs ?? 20_000, what: `docker-registry on ${host}` },
    );
  } catch (err) {
    await stopByPid(child, 2_000);
    throw new Error(`${(err as Error).message}\n--- registry log ---\n${tail(await logs())}`, { cause: err });
  }

  let stopped = false;
  return {
    host,
    url,
    storageDir,
    pid: child.pid!,
    ...(opts.auth ? { auth: opts.auth } : {}),
    logs,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopByPid(child, 5_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
