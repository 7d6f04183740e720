import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { it } from 'vitest';
import { bundledDockerBinary, freeLoopbackPort, pushImage, startRegistry, testImages } from '../../../../scripts/src/testrig/index.js';
import { repoRoot } from './vm-image.js';

const run = promisify(execFile);

/** utime + stime of a process, in clock ticks (1/100 s). */
const cpu = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]);
};

const mibps = (bytes: number, t0: number) => `${(bytes / 2 ** 20 / ((performance.now() - t0) / 1000)).toFixed(1)} MiB/s (${bytes} bytes)`;

/** Sends `bytes` zeros to a `wc -c` server, half-closes, and resolves with the count it answers. */
function upload(port: number, bytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const chunk = Buffer.alloc(1 << 20);
    let left = bytes;
    const pump = () => {
      while (left > 0) {
        left -= chunk.length;
        if (!c.write(chunk)) return void c.once('drain', pump);
      }
      c.end();
    };
    c.once('connect', pump);
    let answer = '';
    c.on('data', (d: Buffer) => (answer += d.toString()));
    c.on('end', () => resolve(answer.trim()));
    c.on('error', reject);
  });
}

// VM figures for the report and `npm run bench` (no assertions): cold start, _ping through the tunnel vs inside the
// VM, docker run, published-port throughput, file-sharing throughput, idle cost. Opt-in: BERTH_VM_BENCH=1.
it('measures the VM path', async (ctx) => {
  if (!process.env.BERTH_VM_BENCH) ctx.skip('opt-in benchmark: set BERTH_VM_BENCH=1 to measure the VM path');
  const home = mkdtempSync(path.join(os.tmpdir(), 'berth-m-'));
  const env = { ...process.env, HOME: home, BERTH_HOME: path.join(home, '.berth'), DOCKER_CONFIG: path.join(home, '.docker') };
  const berth = (...args: string[]) => spawnSync(process.execPath, [path.join(repoRoot, 'electron', 'bin', 'berth'), ...args], { env, encoding: 'utf8' });
  const docker = (...args: string[]) => run(bundledDockerBinary(), ['--context', 'berth', ...args], { env, maxBuffer: 64 << 20 });
  const registry = await startRegistry();
  const { catalog, blobs } = await testImages();
  await pushImage(registry, catalog.busybox.image, catalog.busybox.ref, { blobs });
  const inVm = registry.host.replace('127.0.0.1', '10.0.2.2');
  const image = `${inVm}/${catalog.busybox.ref}`;
  mkdirSync(env.BERTH_HOME, { recursive: true });
  writeFileSync(path.join(env.BERTH_HOME, 'settings.json'), JSON.stringify({ vm: { engineArgs: ['--insecure-registry', inVm] } }));
  const out: string[] = [];
  try {
    let t = Date.now();
    berth('start');
    await docker('version');
    out.push(`cold start to docker version: ${Date.now() - t} ms`);
    const dmesg = berth('ssh', 'dmesg | grep "Run /init"; cat /proc/uptime').stdout;
    out.push(`kernel: ${dmesg.trim().replace(/\n/g, ' | ')}`);
    // _ping over a kept-alive connection through the tunnel
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sock = path.join(env.BERTH_HOME, 'run', 'docker.sock');
    const ping = () => new Promise<void>((res, rej) => http.get({ socketPath: sock, path: '/_ping', agent }, (r) => { r.resume(); r.on('end', res); }).on('error', rej));
    for (let i = 0; i < 20; i++) await ping();
    t = performance.now();
    for (let i = 0; i < 300; i++) await ping();
    out.push(`_ping via tunnel (kept-alive): ${((performance.now() - t) / 300).toFixed(2)} ms`);
    const inside = berth('ssh', `node -e 'const http=require("http");const a=new http.Agent({keepAlive:true,maxSockets:1});const p=()=>new Promise(r=>http.get({socketPath:"/run/berth/berthd.sock",path:"/_ping",agent:a},x=>{x.resume();x.on("end",r)}));(async()=>{for(let i=0;i<20;i++)await p();const t=performance.now();for(let i=0;i<300;i++)await p();console.log(((performance.now()-t)/300).toFixed(2))})()'`).stdout;
    out.push(`_ping direct in VM (kept-alive): ${inside.trim()} ms`);
    await docker('pull', image);
    t = Date.now();
    await docker('run', '--rm', image, 'true');
    out.push(`docker run --rm via tunnel: ${Date.now() - t} ms`);
    // Published-port throughput, 256 MiB each way, and what it costs in CPU on the user's machine: QEMU, and the
    // host process (nothing since every port is a hostfwd rule; loopback binds went over SSH before 2026-11-22).
    const st0 = JSON.parse(berth('status', '--json').stdout) as { pid: number; hostPid: number };
    const serve = 'mkdir /w && dd if=/dev/zero of=/w/big bs=1M count=256 2>/dev/null && (nc -ll -p 9001 -e wc -c &) && exec httpd -f -p 9000 -h /w';
    const ids: string[] = [];
    let firstDown = 0;
    for (const [label, bind] of [['loopback bind (-p 127.0.0.1:N:M)', '127.0.0.1:'], ['wildcard bind (-p N:M)', '']] as const) {
      const [down, up] = [await freeLoopbackPort(), await freeLoopbackPort()];
      firstDown ||= down;
      ids.push((await docker('run', '-d', '-p', `${bind}${down}:9000`, '-p', `${bind}${up}:9001`, image, 'sh', '-c', serve)).stdout.trim());
      await new Promise((r) => setTimeout(r, 4000));
      let [q, h, t0] = [cpu(st0.pid), cpu(st0.hostPid), performance.now()];
      const dl = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{size_download}', `http://127.0.0.1:${down}/big`], { encoding: 'utf8' }).stdout;
      out.push(`port ${label}, container→host (curl): ${mibps(Number(dl), t0)}, CPU qemu ${(cpu(st0.pid) - q) / 100} s, host process ${(cpu(st0.hostPid) - h) / 100} s`);
      [q, h, t0] = [cpu(st0.pid), cpu(st0.hostPid), performance.now()];
      const counted = await upload(up, 256 << 20);
      out.push(`  host→container (half-closed upload, wc -c): ${mibps(Number(counted), t0)}, CPU qemu ${(cpu(st0.pid) - q) / 100} s, host process ${(cpu(st0.hostPid) - h) / 100} s`);
    }
    // The same download inside the VM (berthd's DNAT on the VM loopback, no QEMU networking): the ceiling.
    const inVmDl = berth('ssh', `busybox wget -q -O /dev/null http://127.0.0.1:${firstDown}/big && echo ok; t=$(date +%s%N); busybox wget -q -O /dev/null http://127.0.0.1:${firstDown}/big; echo $(( ($(date +%s%N)-t)/1000000 ))`).stdout;
    out.push(`  same download inside the VM (wget, ms for 256 MiB): ${inVmDl.trim().replace(/\n/g, ' ')}`);
    for (const id of ids) await docker('rm', '-f', id).catch((e: Error) => out.push(`  rm -f failed: ${e.message.split('\n')[1]}`));
    // file sharing
    const dir = path.join(home, 'share');
    mkdirSync(dir);
    const fs1 = berth('ssh', `cd ${dir} && t=$(date +%s%N) && dd if=/dev/zero of=big bs=1M count=100 conv=fsync 2>/dev/null && w=$(( ($(date +%s%N)-t)/1000000 )) && echo 3 > /proc/sys/vm/drop_caches && t=$(date +%s%N) && cat big > /dev/null && r=$(( ($(date +%s%N)-t)/1000000 )) && echo "write100MB=\${w}ms read100MB=\${r}ms"`).stdout;
    out.push(`file sharing (sshfs/sftp) in VM: ${fs1.trim()}`);
    // idle
    await new Promise((r) => setTimeout(r, 5000));
    const st = JSON.parse(berth('status', '--json').stdout) as { pid: number; hostPid: number };
    const rss = readFileSync(`/proc/${st.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1];
    const q0 = cpu(st.pid); const h0 = cpu(st.hostPid);
    await new Promise((r) => setTimeout(r, 10_000));
    out.push(`idle: QEMU RSS ${Math.round(Number(rss) / 1024)} MiB; CPU over 10 s: qemu ${(cpu(st.pid) - q0) / 100} s, host process ${(cpu(st.hostPid) - h0) / 100} s`);
    t = Date.now();
    berth('stop');
    out.push(`berth stop: ${Date.now() - t} ms`);
  } finally {
    console.log(out.join('\n'));
    berth('stop');
    await registry.stop();
    rmSync(home, { recursive: true, force: true });
  }
}, 600_000);
