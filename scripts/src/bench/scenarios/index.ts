import type { BenchScenario } from '../scenario.js';
import buildNoCache, { buildCached, buildContext200 } from './build.js';
import dockerVersion from './docker-version.js';
import pingThroughput from './ping-throughput.js';

/** Every scenario, in the order the table prints them. A new scenario is one file here plus one line below. */
export const scenarios: BenchScenario[] = [dockerVersion, pingThroughput, buildNoCache, buildCached, buildContext200];
