import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OciRuntime } from '../../../src/runtime/oci/runtime.js';
import { removeCgroupTree } from '../../../src/runtime/oci/cgroups.js';
import { resolveMonitorBinary } from '../../../src/runtime/monitor/binary.js';
import { ContainerProcess, type ExitStatus, type JsonFileLog } from '../../../src/runtime/monitor/container-process.js';
import { buildSpec, dockerDefaults, readEngineCapabilities, withCgroupsPath, type DefaultContainerOptions } from '../../../src/runtime/spec/index.js';
import type { Spec, SpecOpt } from '../../../src/runtime/spec/types.js';
import { buildBusyboxRootfs } from './busybox-rootfs.js';

export interface RunOptions extends Partial<DefaultContainerOptions> {
  args: string[];
  opts?: SpecOpt[];
  openStdin?: boolean;
  log?: boolean | Omit<JsonFileLog, 'path'>;
  /** ContainerProcess.prepare (the monitor serves attach first; start() runs `run --detach`) instead of create. */
  prepare?: boolean;
}

export interface Started {
  id: string;
  proc: ContainerProcess;
  bundle: string;
  stateDir: string;
  logPath: string;
  cgroupsPath: string;
  spec: Spec;
}

export interface Finished {
  stdout: string;
  stderr: string;
  exit: ExitStatus;
}

/**
 * Everything one conformance run owns: a temp dir (short, for socket paths), a busybox rootfs, a runtime state
 * root, its own cgroup parent `/berth-test-<random>`. `cleanup()` removes all of it and kills only its own pids.
 */
export class RuntimeHarness {
  readonly cgroupParent = `/berth-test-${randomBytes(4).toString('hex')}`;
  dir = '';
  rootfs = '';
  monitorBinary = '';
  runtime!: OciRuntime;
  availableCaps: string[] = [];
  private readonly started: Started[] = [];
  private seq = 0;

  async setup(makeRuntime: (stateRoot: string) => OciRuntime): Promise<void> {
    this.dir = await mkdtemp('/tmp/bt-');
    this.rootfs = await buildBusyboxRootfs(join(this.dir, 'rootfs'));
    this.monitorBinary = await resolveMonitorBinary(join(tmpdir(), 'berth-monitor-cache'));
    this.runtime = makeRuntime(join(this.dir, 'state'));
    this.availableCaps = await readEngineCapabilities();
  }

  /** Creates (not starts) a container under a monitor, or prepares one (`prepare`). */
  async create(o: RunOptions): Promise<Started> {
    const id = `bt-${process.pid}-${++this.seq}`;
    const bundle = join(this.dir, 'b', id);
    const stateDir = join(this.dir, 'm', String(this.seq));
    const cgroupsPath = `${this.cgroupParent}/${id}`;
    await mkdir(bundle, { recursive: true });
    const spec = buildSpec(
      ...dockerDefaults({ rootfs: this.rootfs, hostname: id.slice(0, 12), availableCaps: this.availableCaps, ...o }),
      withCgroupsPath(cgroupsPath),
      ...(o.opts ?? []),
    );
    await writeFile(join(bundle, 'config.json'), JSON.stringify(spec));
    const logPath = join(this.dir, `${id}-json.log`);
    const log = o.log === false ? undefined : { path: logPath, ...(typeof o.log === 'object' ? o.log : {}) };
    const started: Started = { id, bundle, stateDir, logPath, cgroupsPath, spec, proc: undefined as unknown as ContainerProcess };
    this.started.push(started);
    started.proc = await (o.prepare ? ContainerProcess.prepare : ContainerProcess.create)({
      id, runtime: this.runtime, bundle, stateDir, monitorBinary: this.monitorBinary,
      tty: o.terminal ?? false, openStdin: o.openStdin ?? false, cgroupsPath, ...(log ? { log } : {}),
    });
    return started;
  }

  /** create + attach + start + collect output + wait, like `docker run --rm` without -d. */
  async run(o: RunOptions): Promise<Finished> {
    const s = await this.create(o);
    const a = await s.proc.attach();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    a.output.on('data', (c: { stream: string; data: Buffer }) => (c.stream === 'stderr' ? err : out).push(c.data));
    await s.proc.start();
    const exit = await s.proc.wait();
    await finished(a.output);
    await this.runtime.delete(s.id, { force: true });
    return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), exit };
  }

  /** The output a shell command prints inside a fresh default container. */
  async sh(script: string, o: Partial<RunOptions> = {}): Promise<Finished> {
    return this.run({ ...o, args: ['sh', '-c', script] });
  }

  async cleanup(): Promise<void> {
    for (const s of this.started) {
      await this.runtime?.delete(s.id, { force: true }).catch(() => undefined);
      const monitor = s.proc?.monitorPid();
      if (monitor && s.proc.monitorAlive()) {
        try {
          process.kill(monitor, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    await removeCgroupTree(this.cgroupParent);
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
