// `engine.vmUsage`: the VM's CPU and memory while the UI shows them. The timer lives only as long as the stream,
// so a host nobody looks at samples nothing.
import type { VmUsage } from '../../../shared/types.js';
import { cpuPercentBetween, type VmUsageSample } from '../../vm/vm-usage.js';
import type { EngineControls, StreamHandlers } from './types.js';

export const VM_USAGE_INTERVAL_MS = 2000;

export function toVmUsage(sample: VmUsageSample, prev: VmUsageSample | null | undefined): VmUsage {
  const cpuPercent = cpuPercentBetween(prev, sample);
  return {
    ...(cpuPercent !== undefined ? { cpuPercent } : {}),
    ...(sample.rssBytes !== undefined ? { memoryBytes: sample.rssBytes } : {}),
    cpus: sample.cpus,
    memoryLimitBytes: sample.memoryMiB * 2 ** 20,
    accel: sample.accel,
  };
}

export function vmUsageStreams(controls: EngineControls, intervalMs = VM_USAGE_INTERVAL_MS): Pick<StreamHandlers, 'engine.vmUsage'> {
  return {
    async 'engine.vmUsage'(_args, sink) {
      const read = controls.vmUsage;
      if (!read) {
        // No VM behind this host: say so once.
        sink.data(null);
        sink.end();
        return { close: () => undefined };
      }
      let prev: VmUsageSample | null = null;
      let closed = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const tick = async () => {
        const sample = await read().catch(() => null);
        if (closed) return;
        sink.data(sample ? toVmUsage(sample, prev) : null);
        prev = sample;
        timer = setTimeout(() => void tick(), intervalMs);
      };
      await tick();
      return {
        close() {
          closed = true;
          if (timer) clearTimeout(timer);
        },
      };
    },
  };
}
