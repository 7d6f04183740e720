import type Docker from 'dockerode';
import { ANONYMOUS_VOLUME_LABEL } from '../../../shared/prune-candidates.js';
import { networkRow, volumeRow, volumeUsers } from '../mappers/resources.js';
import type { RequestHandlers } from './types.js';
import { isHelperContainer } from './volume-browser.js';

type Requests = Pick<RequestHandlers,
  'volumes.list' | 'volumes.create' | 'volumes.remove' | 'volumes.prune' | 'volumes.usage'
  | 'networks.list' | 'networks.inspect' | 'networks.create' | 'networks.remove'>;

interface VolumeUsage { Volumes?: { Name: string; UsageData?: { Size?: number } | null }[] | null }

/** `GET /system/df?type=volume` (API 1.42+; older engines ignore `type` and measure everything): dockerode's df() drops the query. */
function volumeDiskUsage(docker: Docker): Promise<VolumeUsage> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      { path: '/system/df?', method: 'GET', options: { type: ['volume'] }, statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' } },
      (err, data) => (err ? reject(err) : resolve((data ?? {}) as VolumeUsage)),
    );
  });
}

export function volumeNetworkHandlers(docker: Docker): Requests {
  return {
    async 'volumes.list'() {
      const [res, containers] = await Promise.all([
        docker.listVolumes(),
        // Who uses a volume is a nicety: an engine without containers yet still lists volumes.
        docker.listContainers({ all: true }).catch(() => []),
      ]);
      // The volume browser's own helpers are not users a person needs to know about.
      const users = volumeUsers(containers.filter((c) => !isHelperContainer(c.Labels)) as never);
      return (res.Volumes ?? []).map((v) => volumeRow(v as never, users.get(v.Name) ?? [])).sort((a, b) => a.name.localeCompare(b.name));
    },
    async 'volumes.create'({ name, labels }) {
      // dockerode answers with a handle, not the engine's JSON: inspect it for the row.
      const v = await docker.createVolume({ ...(name?.trim() ? { Name: name.trim() } : {}), Labels: labels ?? {} });
      return volumeRow((await v.inspect()) as never);
    },
    async 'volumes.remove'({ name, force }) {
      await docker.getVolume(name).remove({ force: force ?? false });
    },
    async 'volumes.prune'({ all }) {
      // dockerd ≥ 23 prunes only anonymous volumes unless `all`; older engines prune every unused volume and
      // reject the `all` filter. The anonymous label keeps "anonymous only" to the volumes the dialog listed.
      const filters: Record<string, string[]> = all ? { all: ['true'] } : { label: [ANONYMOUS_VOLUME_LABEL] };
      const res = await docker.pruneVolumes({ filters }).catch((err: unknown) => {
        if (all && (err as { statusCode?: number }).statusCode === 400) return docker.pruneVolumes();
        throw err;
      });
      const removed = res.VolumesDeleted ?? [];
      return { deleted: removed.length, spaceReclaimed: res.SpaceReclaimed ?? 0, removed };
    },
    async 'volumes.usage'() {
      const df = await volumeDiskUsage(docker);
      const sizes: Record<string, number> = {};
      for (const v of df.Volumes ?? []) if ((v.UsageData?.Size ?? -1) >= 0) sizes[v.Name] = v.UsageData!.Size!;
      return sizes;
    },
    async 'networks.list'() {
      const res = await docker.listNetworks();
      return res.map((n) => networkRow(n as never)).sort((a, b) => a.name.localeCompare(b.name));
    },
    async 'networks.inspect'({ id }) {
      return docker.getNetwork(id).inspect();
    },
    async 'networks.create'({ name, driver, subnet, internal }) {
      const n = await docker.createNetwork({
        Name: name.trim(),
        Driver: driver || 'bridge',
        Internal: internal ?? false,
        ...(subnet ? { IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] } } : {}),
      });
      return { id: n.id };
    },
    async 'networks.remove'({ id }) {
      await docker.getNetwork(id).remove();
    },
  };
}
