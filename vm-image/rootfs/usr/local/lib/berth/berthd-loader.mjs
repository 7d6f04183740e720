// berthd in the VM. Under emulation, starting berthd is mostly V8 parsing, compiling and evaluating the 2 MB bundle,
// so this loader
//   1. compiles the bundle with the V8 code cache made when the image was built (`--write-code-cache`, run by
//      vm-image/build.sh with this same Node binary and flags; a rejected or missing cache only costs time),
//   2. evaluates it while berth-init is still loading kernel modules and mounting the data disk,
//   3. calls berthd's main() once $BERTHD_WAIT_FOR exists (berth-init's "system ready"), first pointing stdout and
//      stderr at $BERTHD_LOG, which only then is the data disk's file,
//   4. reports the "berthd-ready" start stage on the virtio-serial port ($BERTH_STAGE_PORT) once its API socket
//      ($BERTHD_READY_SOCKET) accepts a connection.
// Node flags go on the command line (/usr/local/bin/berthd), never through v8.setFlagsFromString: a flag set at
// run time makes V8 reject the code cache embedded in Node for its own modules, and compiling those under
// emulation cost seconds.
import fs from 'node:fs';
import Module from 'node:module';
import net from 'node:net';
import path from 'node:path';
import vm from 'node:vm';

const bundle = process.env.BERTHD_BUNDLE || '/opt/berth/engine/dist/cmd/berthd.cjs';
const cacheFile = `${bundle}.v8cache`;
const ms = (t0) => Math.round(performance.now() - t0);
const notes = [];

function load() {
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // no cache (an image built for another architecture): compile from source
  }
  const t0 = performance.now();
  const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'utf8')), {
    filename: bundle,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const cache = !cachedData ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  notes.push(`compiled in ${ms(t0)} ms (code cache ${cache})`);
  const t1 = performance.now();
  const mod = new Module(bundle);
  mod.filename = bundle;
  mod.paths = Module._nodeModulePaths(path.dirname(bundle));
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(bundle), mod, bundle, path.dirname(bundle));
  notes.push(`evaluated in ${ms(t1)} ms`);
  return { script, exports: mod.exports };
}

function waitFor(file) {
  if (!file || fs.existsSync(file)) return Promise.resolve();
  return new Promise((resolve) => {
    const watcher = fs.watch(path.dirname(file), () => {
      if (!fs.existsSync(file)) return;
      watcher.close();
      resolve();
    });
    if (fs.existsSync(file)) {
      watcher.close();
      resolve();
    }
  });
}

/** stdout and stderr onto `file`: closing fd 1 (then 2) makes the next open take that number (no dup2 in Node). */
function reopenOutput(file) {
  if (!file) return;
  for (const fd of [1, 2]) {
    fs.closeSync(fd);
    const got = fs.openSync(file, 'a');
    if (got !== fd) throw new Error(`reopening fd ${fd} onto ${file} gave fd ${got}`);
  }
}

function stage(name) {
  const port = process.env.BERTH_STAGE_PORT;
  if (!port) return;
  const uptime = fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0];
  // The port has one opener at a time (berth-init may be writing a stage of its own): EBUSY is tried again for up
  // to 2 s, since a lost line leaves the host waiting for berthd.
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 1; ; attempt++) {
    try {
      fs.writeFileSync(port, `${name} ${uptime}\n`);
      return;
    } catch (err) {
      if (err.code !== 'EBUSY' || attempt >= 200) {
        process.stderr.write(`berthd-loader: cannot report stage ${name}: ${err.message}\n`);
        return;
      }
      Atomics.wait(nap, 0, 0, 10);
    }
  }
}

function reportWhenListening(socket) {
  if (!socket) return;
  let done = false;
  const watcher = fs.watch(path.dirname(socket), () => probe());
  const probe = () => {
    if (done) return;
    const c = net.connect(socket);
    c.once('connect', () => {
      c.destroy();
      if (done) return;
      done = true;
      watcher.close();
      stage('berthd-ready');
    });
    c.once('error', () => undefined);
  };
  watcher.unref();
  probe();
}

async function main() {
  if (process.argv[2] === '--write-code-cache') {
    const { script } = load();
    fs.writeFileSync(cacheFile, script.createCachedData());
    return;
  }
  const { exports } = load();
  const t0 = performance.now();
  await waitFor(process.env.BERTHD_WAIT_FOR);
  reopenOutput(process.env.BERTHD_LOG);
  process.stderr.write(`berthd-loader: ${notes.join(', ')}, waited ${ms(t0)} ms for ${process.env.BERTHD_WAIT_FOR || 'nothing'}\n`);
  reportWhenListening(process.env.BERTHD_READY_SOCKET);
  await exports.main(process.argv.slice(2));
}

main().catch((err) => {
  process.stderr.write(`berthd: ${err && err.stack ? err.stack : String(err)}\n`);
  process.exit(1);
});
