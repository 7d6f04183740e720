import Docker from 'dockerode';
import { type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnTracked, stopByPid } from '../../../../scripts/src/testrig/index.js';
import { startContainerRig, type ContainerRig } from './harness.js';

// Piped (non-TTY) exec round trips under CPU load: each must give back exactly its input, on stdout and stderr, and
// exit 0. Under load the process often exits before its monitor has read the client's close-stdin frame; a monitor
// that then closed the connection with that frame unread reset it, and berthd lost the whole answer (empty output).
const ROUND_TRIPS = 200;
const BATCH = 8;

let rig: ContainerRig;
let burner: ChildProcess | undefined;
beforeAll(async () => {
  rig = await startContainerRig();
  await rig.ok(['run', '-d', '--name', 'box', rig.busybox, 'sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done']);
  // A busy loop on one core: berthd, the monitors and runc get preempted between a session's writes.
  burner = spawnTracked('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
});
afterAll(async () => {
  if (burner) await stopByPid(burner, 1000);
  await rig?.docker(['rm', '-f', 'box']);
  await rig?.stop();
});

/** Runs `count` round trips, `BATCH` at a time, and returns the ones whose answer was not the expected one. */
async function roundTrips(count: number, one: (i: number) => Promise<{ got: string; want: string }>): Promise<string[]> {
  const wrong: string[] = [];
  for (let start = 0; start < count; start += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - start) }, (_, k) => start + k);
    const results = await Promise.all(batch.map((i) => one(i)));
    for (const [k, r] of results.entries()) if (r.got !== r.want) wrong.push(`#${start + k}: ${JSON.stringify(r.got)}`);
  }
  return wrong;
}

describe('piped exec under load', () => {
  it(`answers ${ROUND_TRIPS} piped docker exec -i round trips, none empty`, async () => {
    const wrong = await roundTrips(ROUND_TRIPS, async (i) => {
      const r = await rig.docker(['exec', '-i', 'box', 'sh', '-c', 'read x; echo "got:$x"; echo "e:$x" >&2'], { input: `cli-${i}\n` });
      return { got: `${r.code}|${r.stdout}|${r.stderr}`, want: `0|got:cli-${i}\n|e:cli-${i}\n` };
    });
    expect(wrong).toEqual([]);
  }, 300_000);

  it(`answers ${ROUND_TRIPS} dockerode exec.start({hijack: true}) round trips, none empty`, async () => {
    const client = new Docker({ socketPath: rig.berthd.socket });
    const wrong = await roundTrips(ROUND_TRIPS, async (i) => {
      const exec = await client.getContainer('box').exec({ Cmd: ['sh', '-c', 'read x; echo "got:$x"; echo "e:$x" >&2'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
      const stream = await exec.start({ hijack: true, stdin: true });
      const out = new PassThrough();
      const err = new PassThrough();
      let o = '';
      let e = '';
      out.on('data', (d: Buffer) => (o += d.toString()));
      err.on('data', (d: Buffer) => (e += d.toString()));
      client.modem.demuxStream(stream, out, err);
      const ended = new Promise((r) => stream.on('end', r));
      stream.end(`hijack-${i}\n`);
      await ended;
      const code = (await exec.inspect()).ExitCode;
      return { got: `${code}|${o}|${e}`, want: `0|got:hijack-${i}\n|e:hijack-${i}\n` };
    });
    expect(wrong).toEqual([]);
  }, 300_000);
});
