import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { it } from 'vitest';
import { freeLoopbackPort, pushImage, startRegistry, testImages } from '../../../../scripts/src/testrig/index.js';
import { repoRoot } from './vm-image.js';

const run = promisify(execFile);

// VM figures for the report and `npm run bench` (no assertions): cold start, _ping through the tunnel vs inside the
// VM, docker run, published-port throughput, file-sharing throughput, idle cost. Opt-in: BERTH_VM_BENCH=1.
it.skipIf(!process.env.BERTH_VM_BENCH)('measures the VM path', async () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'berth-m-'));
  const env = { ...process.env, HOME: home, BERTH_HOME: path.join(home, '.berth'), DOCKER_CONFIG: path.join(home, '.docker') };
  const berth = (...args: string[]) => spawnSync(process.execPath, [path.join(repoRoot, 'electron', 'bin', 'berth'), ...args], { env, encoding: 'utf8' });
  const docker = (...args: string[]) => run('/usr/local/bin/docker', ['--context', 'berth', ...args], { env, maxBuffer: 64 << 20 });
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
    // port forward throughput host -> container
    const port = await freeLoopbackPort();
    const id = (await docker('run', '-d', '-p', `127.0.0.1:${port}:9000`, image, 'sh', '-c', 'mkdir /w && dd if=/dev/zero of=/w/big bs=1M count=256 2>/dev/null && httpd -f -p 9000 -h /w')).stdout.trim();
    await new Promise((r) => setTimeout(r, 4000));
    const dl = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{size_download} %{speed_download}', `http://127.0.0.1:${port}/big`], { encoding: 'utf8' }).stdout.split(' ');
    out.push(`port forward container→host (curl, 256 MiB): ${((Number(dl[1]) * 8) / 1e9).toFixed(3)} Gbit/s (${(Number(dl[1]) / 2 ** 20).toFixed(1)} MiB/s), ${dl[0]} bytes`);
    const wport = await freeLoopbackPort();
    const wid = (await docker('run', '-d', '-p', `${wport}:9000`, image, 'sh', '-c', 'mkdir /w && dd if=/dev/zero of=/w/big bs=1M count=256 2>/dev/null && httpd -f -p 9000 -h /w')).stdout.trim();
    await new Promise((r) => setTimeout(r, 4000));
    const wdl = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{size_download} %{speed_download}', `http://127.0.0.1:${wport}/big`], { encoding: 'utf8' }).stdout.split(' ');
    out.push(`  wildcard bind (QEMU hostfwd): ${((Number(wdl[1]) * 8) / 1e9).toFixed(3)} Gbit/s (${(Number(wdl[1]) / 2 ** 20).toFixed(1)} MiB/s), ${wdl[0]} bytes`);
    await docker('rm', '-f', wid).catch(() => undefined);
    const inVmDl = berth('ssh', `busybox wget -q -O /dev/null http://127.0.0.1:${port}/big && echo ok; t=$(date +%s%N); busybox wget -q -O /dev/null http://127.0.0.1:${port}/big; echo $(( ($(date +%s%N)-t)/1000000 ))`).stdout;
    out.push(`  same download inside the VM (wget, ms for 256 MiB): ${inVmDl.trim().replace(/\n/g, ' ')}`);
    await docker('rm', '-f', id).catch((e: Error) => out.push(`  rm -f failed: ${e.message.split('\n')[1]}`));
    // file sharing
    const dir = path.join(home, 'share');
    mkdirSync(dir);
    const fs1 = berth('ssh', `cd ${dir} && t=$(date +%s%N) && dd if=/dev/zero of=big bs=1M count=100 conv=fsync 2>/dev/null && w=$(( ($(date +%s%N)-t)/1000000 )) && echo 3 > /proc/sys/vm/drop_caches && t=$(date +%s%N) && cat big > /dev/null && r=$(( ($(date +%s%N)-t)/1000000 )) && echo "write100MB=\${w}ms read100MB=\${r}ms"`).stdout;
    out.push(`file sharing (sshfs/sftp) in VM: ${fs1.trim()}`);
    // idle
    await new Promise((r) => setTimeout(r, 5000));
    const st = JSON.parse(berth('status', '--json').stdout) as { pid: number; hostPid: number };
    const rss = readFileSync(`/proc/${st.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1];
    const cpu = (p: number) => { const f = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' '); return Number(f[11]) + Number(f[12]); };
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
