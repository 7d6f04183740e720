import { spawn } from 'node:child_process';
import { dockerBinary, dockerEnv } from '../../testrig/docker-cli.js';
import { dockerOk, pulledInto } from '../fixtures.js';
import { defineScenario, type BenchTarget } from '../scenario.js';

const LOG_BYTES = 100_000_000;
/** 99 characters and a newline: a line length typical of application logs. */
const LINE = '0'.repeat(99);

interface Ctx {
  id: string;
}

/** `docker logs <id>` with its stdout on `sink` ('count' counts the bytes in this process); resolves to them. */
function dockerLogs(target: BenchTarget, id: string, sink: 'devnull' | 'count'): Promise<number> {
  return new Promise((resolve, reject) => {
    const env = dockerEnv(target.dockerHost);
    const child = spawn(dockerBinary(), ['logs', id], { env, stdio: ['ignore', sink === 'count' ? 'pipe' : 'ignore', 'pipe'] });
    let bytes = 0;
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (bytes += c.length));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(bytes) : reject(new Error(`docker logs on ${target.label} exited ${code}: ${stderr.trim()}`))));
  });
}

/**
 * Reading back a big json-file log: a container writes 100 MB to stdout once (setup, untimed), then each iteration
 * is `docker logs` to /dev/null through the real CLI. The figure is payload MB (10^6 bytes) per second.
 */
export default defineScenario<Ctx>({
  name: 'logs-throughput',
  description: '`docker logs` of 100 MB a container wrote to stdout (100-byte lines), to /dev/null, MB/s',
  unit: 'MB/s',
  better: 'higher',
  defaultIterations: 3,
  // The setup's byte count reads the whole log once: that is the warm-up.
  warmup: 0,
  async setup(target) {
    const ref = await pulledInto(target, 'busybox');
    const script = `yes ${LINE} | head -c ${LOG_BYTES}`;
    const id = (await dockerOk(target, ['run', '-d', '--network', 'none', ref, 'sh', '-c', script])).trim();
    const code = (await dockerOk(target, ['wait', id])).trim();
    if (code !== '0') throw new Error(`the log writer exited ${code} on ${target.label}`);
    const got = await dockerLogs(target, id, 'count');
    if (got !== LOG_BYTES) throw new Error(`docker logs on ${target.label} gave ${got} bytes, want ${LOG_BYTES}`);
    return { id };
  },
  async run({ id }, target) {
    const start = process.hrtime.bigint();
    await dockerLogs(target, id, 'devnull');
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return LOG_BYTES / 1e6 / seconds;
  },
  async teardown({ id }, target) {
    await dockerOk(target, ['rm', '--force', id]);
  },
});
