import type { BenchScenario } from '../scenario.js';
import buildNoCache, { buildCached, buildContext200, buildkitCached, buildkitNoCache } from './build.js';
import { buildkitCacheMount, buildkitContext20k, buildkitParallelStages } from './buildkit.js';
import { containerList500Event, containerList500Render } from './container-list-500.js';
import createStartRmX20 from './create-start-rm-x20.js';
import credentialHelperGet, { credentialHelperGetNoBerth, credentialHelperGetNode } from './credential-helper-get.js';
import dashboardFirstPaint from './dashboard-first-paint.js';
import dashboardIdleCpu from './dashboard-idle-cpu.js';
import dockerVersion from './docker-version.js';
import { extensionInstallUi, extensionTabFirstCall } from './extensions.js';
import { idleRss0, idleRss20 } from './idle-rss.js';
import loadClients from './load-100-clients.js';
import logsThroughput from './logs-throughput.js';
import pingThroughput from './ping-throughput.js';
import pull, { pullPresent } from './pull.js';
import push from './push.js';
import { smallFilesPull, smallFilesRmi } from './small-files.js';
import runRmTrue, { runRmTrueBridge } from './run-rm-true.js';
import tcpThroughput from './tcp-throughput.js';
import { vmMemoryReturn } from './vm-memory.js';
import { vmColdStart, vmWarmStart } from './vm-start.js';

/**
 * Every scenario, in the order the table prints them. A new scenario is one file here plus one line below. The
 * idle RSS figures come first, while both engines are as fresh as a user's would be.
 */
export const scenarios: BenchScenario[] = [
  idleRss0,
  idleRss20,
  dockerVersion,
  credentialHelperGet,
  credentialHelperGetNoBerth,
  credentialHelperGetNode,
  pingThroughput,
  pull,
  pullPresent,
  smallFilesPull,
  smallFilesRmi,
  push,
  runRmTrue,
  runRmTrueBridge,
  createStartRmX20,
  logsThroughput,
  tcpThroughput,
  loadClients,
  buildNoCache,
  buildCached,
  buildContext200,
  buildkitNoCache,
  buildkitCached,
  buildkitParallelStages,
  buildkitCacheMount,
  buildkitContext20k,
  dashboardFirstPaint,
  containerList500Render,
  containerList500Event,
  dashboardIdleCpu,
  extensionInstallUi,
  extensionTabFirstCall,
  vmColdStart,
  vmWarmStart,
  vmMemoryReturn,
];
