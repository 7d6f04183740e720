import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import { promisify } from 'node:util';

const exec = promisify(execFile);

function request(socketPath: string, method: string, path: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Containers outlive berthd by design (they run under their own monitors), so a test engine removes them
 * before it stops, or they would keep running, mounted, after the test.
 */
export async function removeAllContainers(socketPath: string, timeoutMs = 20_000): Promise<void> {
  const list = JSON.parse(await request(socketPath, 'GET', '/containers/json?all=1', timeoutMs)) as Array<{ Id: string }>;
  await Promise.all(list.map((c) => request(socketPath, 'DELETE', `/containers/${c.Id}?force=1&v=1`, timeoutMs).catch(() => undefined)));
}

/**
 * Last resort after a test engine is gone (killed, or it failed to stop): kills the containers its runtime still
 * knows, the monitors started for it, unmounts whatever is still mounted under its directory and deletes its
 * bridge, so nothing of one test leaks into the next.
 */
export async function sweepEngineLeftovers(runDir: string, execRoot: string, bridgeName: string): Promise<void> {
  for (const runtime of ['runc', 'crun']) {
    const root = `${execRoot}/runtime/${runtime}`;
    const ids = await exec(runtime, ['--root', root, 'list', '-q']).then((r) => r.stdout.split('\n').filter(Boolean), () => []);
    for (const id of ids) await exec(runtime, ['--root', root, 'delete', '--force', id]).catch(() => undefined);
  }
  for (const pid of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(runDir)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4] ?? '');
  // Deepest first, so nested mounts come off before their parents.
  for (const m of mounts.filter((p) => p.startsWith(`${runDir}/`)).sort((a, b) => b.length - a.length)) {
    await exec('umount', ['-l', m]).catch(() => undefined);
  }
  await exec('ip', ['link', 'del', bridgeName]).catch(() => undefined);
  await sweepEngineFirewall(`${runDir}/data`);
}

/**
 * berthd keeps its networks' bridges and iptables rules when it stops (as dockerd does, so they survive a restart),
 * which for a throwaway test engine means they would outlive it: a stale `BERTH-INPUT` DROP for a gateway address
 * once broke DNS for every later test network given the same subnet. Removes every rule tagged with this engine's
 * tag (`berth:<first 12 hex of its engine-id>:`) and the bridges those rules name.
 */
export async function sweepEngineFirewall(dataRoot: string): Promise<void> {
  const id = (await readFile(`${dataRoot}/engine-id`, 'utf8').catch(() => '')).trim();
  if (id === '') return;
  const tag = `"berth:${id.replace(/-/g, '').slice(0, 12)}:`;
  const bridges = new Set<string>();
  for (const table of ['filter', 'nat']) {
    const saved = await exec('iptables-save', ['-t', table]).then((r) => r.stdout, () => '');
    for (const line of saved.split('\n')) {
      if (!line.startsWith('-A ') || !line.includes(tag)) continue;
      const words = (line.match(/"[^"]*"|\S+/g) ?? []).map((w) => w.replace(/^"(.*)"$/, '$1'));
      words.forEach((w, i) => {
        if ((w === '-i' || w === '-o') && /^(bt|br-)/.test(words[i + 1] ?? '')) bridges.add(words[i + 1]!);
      });
      await exec('iptables', ['-w', '-t', table, '-D', ...words.slice(1)]).catch(() => undefined);
    }
  }
  for (const bridge of bridges) await exec('ip', ['link', 'del', bridge]).catch(() => undefined);
}
