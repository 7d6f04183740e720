import http from 'node:http';
import { defineScenario } from '../scenario.js';

const REQUESTS_PER_ITERATION = 1000;

interface Ctx {
  agent: http.Agent;
}

function ping(socketPath: string, agent: http.Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path: '/_ping', agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`/_ping answered ${res.statusCode}`))));
    });
    req.on('error', reject);
  });
}

/** The API server's per-request cost with nothing else in the way: sequential pings on one kept-alive connection. */
export default defineScenario<Ctx>({
  name: 'ping-throughput',
  description: `${REQUESTS_PER_ITERATION} sequential GET /_ping on one kept-alive connection, requests/s`,
  unit: 'req/s',
  better: 'higher',
  defaultIterations: 10,
  async setup() {
    return { agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) };
  },
  async run({ agent }, target) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < REQUESTS_PER_ITERATION; i++) await ping(target.socket, agent);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return REQUESTS_PER_ITERATION / seconds;
  },
  async teardown({ agent }) {
    agent.destroy();
  },
});
