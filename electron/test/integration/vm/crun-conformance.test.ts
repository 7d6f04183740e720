import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_VM_SETTINGS } from '../../../src/host/vm/backend.js';
import { findSftpServer, mountShare } from '../../../src/host/vm/file-shares.js';
import { QemuBackend } from '../../../src/host/vm/qemu/qemu-backend.js';
import { vmFiles } from '../../../src/host/vm/vm-files.js';
import { berthPaths } from '../../../src/host/paths.js';
import { bundleSuite } from './suite-in-vm/bundle.js';
import { ensureImage } from './vm-image.js';

// crun's run of the OCI runtime conformance suite (engine/test/integration/runtime/conformance.ts) inside the Berth
// VM: a pure cgroup v2 kernel, where berthd runs crun (this host's hybrid cgroups are refused by crun). The suite is
// bundled on the host into one file (vitest's API on node:test, suite-in-vm/), the VM boots once for the file, the
// bundle's directory is mounted into it over sshfs and the VM's own Node runs it against the VM's crun and
// berth-monitor, the same ones berthd uses. Each of the suite's tests is reported here under its own name; anything
// but a pass (a skip included) fails it.

const MONITOR_IN_VM = '/opt/berth/engine/bin/berth-monitor';

interface Result {
  name: string;
  suite: boolean;
  status: 'passed' | 'failed' | 'skipped';
  error?: string;
}

interface InnerRun {
  results: Result[];
  output: string;
}

async function runSuiteInVm(): Promise<InnerRun> {
  const sftp = findSftpServer();
  if (!sftp) throw new Error('OpenSSH sftp-server is missing (Debian: openssh-sftp-server): the VM reads the suite through it');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-crun-'));
  const bundle = path.join(dir, 'suite');
  const backend = new QemuBackend({ files: vmFiles(berthPaths({ BERTH_HOME: path.join(dir, 'home') })) });
  try {
    await bundleSuite('engine/test/integration/runtime/crun.vm-suite.ts', bundle, {
      'fixtures/fake-berthd': 'engine/test/integration/runtime/fixtures/fake-berthd.ts',
    });
    const imageDir = ensureImage();
    const t0 = Date.now();
    await backend.start({ ...DEFAULT_VM_SETTINGS, imageDir, memoryMiB: 1536 });
    const booted = Date.now();
    const share = await mountShare(backend.ssh(), bundle, sftp);
    try {
      const res = await backend.exec([
        'env', '-C', '/tmp', `BERTH_MONITOR=${MONITOR_IN_VM}`, 'PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        'node', `--test-reporter=${bundle}/reporter.mjs`, `${bundle}/suite.mjs`,
      ]);
      console.log(`crun conformance in the VM: boot ${booted - t0} ms, suite ${Date.now() - booted} ms (node exit ${res.code})`);
      const results = res.stdout
        .split('\n')
        .filter((l) => l.startsWith('BERTH-TEST '))
        .map((l) => JSON.parse(l.slice('BERTH-TEST '.length)) as Result);
      return { results, output: `${res.stdout}\n${res.stderr}`.trim() };
    } finally {
      share.close();
    }
  } finally {
    await backend.stop({ timeoutMs: 10_000 }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run while the file is collected: the tests below are the suite's own, named from this run.
const inner = await runSuiteInVm();
const tests = inner.results.filter((r) => !r.suite);

describe('OCI runtime conformance: crun in the Berth VM', () => {
  it('loads the suite in the VM and runs every test in it', () => {
    const suiteFailures = inner.results.filter((r) => r.suite && r.status !== 'passed').map((r) => `${r.name}: ${r.error}`);
    expect(suiteFailures, inner.output).toEqual([]);
    expect(tests.length, inner.output).toBeGreaterThanOrEqual(22);
  });

  for (const t of tests) {
    it(t.name, () => {
      if (t.status !== 'passed') throw new Error(`${t.status} in the VM:\n${t.error ?? inner.output}`);
    });
  }
});
