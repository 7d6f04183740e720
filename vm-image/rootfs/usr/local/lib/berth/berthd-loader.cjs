// berthd in the VM. Under emulation, starting berthd is mostly V8 parsing, compiling and evaluating the 2 MB bundle,
// so this loader (CommonJS: an ES module entry makes Node set up its ESM loader first, ~6 % of the start under TCG)
//   1. compiles the bundle with the V8 code cache made when the image was built (`--write-code-cache`, run by
//      vm-image/build.sh with this same Node binary and flags; a rejected or missing cache only costs time). Given
//      berthd's arguments, `--write-code-cache` starts berthd for real (the image build runs it in a network
//      namespace of its own on throwaway roots), asks it what `docker version` and `docker info` ask, and writes
//      the cache then: it holds every function berthd's start-up and first calls ran (commander, the stores,
//      networks, firewall), which otherwise V8 compiles lazily at each boot,
//   2. evaluates it while berth-init is still loading kernel modules, then creates $BERTHD_LOADED: berth-init's
//      snapshot point waits for it, so a VM resumed from a boot snapshot has the bundle loaded already,
//   3. calls berthd's main() once $BERTHD_WAIT_FOR exists (berth-init's "system ready"), first pointing stdout and
//      stderr at $BERTHD_LOG, which only then is the data disk's file, with the arguments of its command line
//      followed by the NUL-separated ones of $BERTHD_ARGS_FILE (per start: written after the snapshot point),
//   4. reports the "berthd-ready" start stage on the virtio-serial port ($BERTH_STAGE_PORT) once its API socket
//      ($BERTHD_READY_SOCKET) accepts a connection (berthd listens before its services have started: /_ping and
//      /version answer at once, other calls wait for them), and "berthd-started" once main() has returned (its
//      services are up).
// Node flags go on the command line (/usr/local/bin/berthd), never through v8.setFlagsFromString: a flag set at
// run time makes V8 reject the code cache embedded in Node for its own modules, and compiling those under
// emulation cost seconds.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- the one import form a CommonJS entry has */
const fs = require('node:fs');
const http = require('node:http');
const Module = require('node:module');
const net = require('node:net');
const path = require('node:path');
const vm = require('node:vm');

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

/** The NUL-separated arguments in `file` (none when there is no file). */
function startArgs(file) {
  if (!file) return [];
  try {
    return fs.readFileSync(file, 'utf8').split('\0').filter((a) => a !== '');
  } catch {
    return [];
  }
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

/** GET `path` on berthd's API socket; resolves with the status code. */
function apiGet(socket, urlPath) {
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath: socket, path: urlPath }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      })
      .on('error', reject);
  });
}

/**
 * `--write-code-cache [berthd args]`: without arguments, the cache of the bundle's evaluation; with them, berthd is
 * started, asked for /_ping, /version and /info, and the cache is written once they answered (then berthd is
 * stopped by SIGTERM, as berth-init stops it). A start that fails exits non-zero and leaves the file as it was.
 */
async function writeCodeCache(berthdArgs) {
  const { script, exports } = load();
  if (berthdArgs.length > 0) {
    await exports.main(berthdArgs);
    const socket = berthdArgs[berthdArgs.indexOf('-H') + 1].replace(/^unix:\/\//, '');
    for (const urlPath of ['/_ping', '/v1.41/version', '/v1.41/info']) {
      const status = await apiGet(socket, urlPath);
      if (status !== 200) throw new Error(`berthd answered ${urlPath} with ${status}`);
    }
  }
  fs.writeFileSync(cacheFile, script.createCachedData());
  process.stderr.write(`berthd-loader: code cache written (${notes.join(', ')})\n`);
  if (berthdArgs.length > 0) process.kill(process.pid, 'SIGTERM');
}

async function main() {
  if (process.argv[2] === '--write-code-cache') return writeCodeCache(process.argv.slice(3));
  const { exports } = load();
  if (process.env.BERTHD_LOADED) fs.writeFileSync(process.env.BERTHD_LOADED, '');
  const t0 = performance.now();
  await waitFor(process.env.BERTHD_WAIT_FOR);
  const args = [...process.argv.slice(2), ...startArgs(process.env.BERTHD_ARGS_FILE)];
  reopenOutput(process.env.BERTHD_LOG);
  process.stderr.write(`berthd-loader: ${notes.join(', ')}, waited ${ms(t0)} ms for ${process.env.BERTHD_WAIT_FOR || 'nothing'}\n`);
  reportWhenListening(process.env.BERTHD_READY_SOCKET);
  await exports.main(args);
  stage('berthd-started');
}

main().catch((err) => {
  process.stderr.write(`berthd: ${err && err.stack ? err.stack : String(err)}\n`);
  process.exit(1);
});
