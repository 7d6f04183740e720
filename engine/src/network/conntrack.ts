import type { Logger } from '../base/log.js';
import { execTool } from './exec.js';

let toolMissing = false;

/**
 * Forgets the kernel's UDP flows to host ports that were just published. A datagram sent to the port before (to
 * nothing, or to the container that had the port last) left a conntrack entry that every later datagram of the
 * same flow keeps alive, so a client with a fixed source port (game clients, some resolvers) would never reach
 * the new DNAT target; dockerd flushes them too. TCP needs none of this: a new connection is a new flow.
 * Best effort: without the conntrack tool (conntrack-tools) such a flow recovers once its client pauses for 30 s.
 */
export async function forgetUdpFlows(ports: number[], log: Logger): Promise<void> {
  if (toolMissing) return;
  for (const port of new Set(ports)) {
    try {
      // Exit 1 with "0 flow entries have been deleted" is the usual outcome: nothing was sent there before.
      const r = await execTool('conntrack', ['-D', '-p', 'udp', '--orig-port-dst', String(port)]);
      if (r.code > 1) log.warn({ port, err: r.stderr.trim() }, 'could not forget earlier UDP flows to a published port');
    } catch (err) {
      toolMissing = true;
      log.warn({ err: (err as Error).message }, 'conntrack tool missing: UDP clients with a fixed port may not reach a newly published port for 30 s');
      return;
    }
  }
}
