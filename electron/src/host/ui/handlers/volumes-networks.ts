import type Docker from 'dockerode';
import { networkRow, volumeRow, volumeUsers } from '../mappers/resources.js';
import type { RequestHandlers } from './types.js';

type Requests = Pick<RequestHandlers,
  'volumes.list' | 'volumes.create' | 'volumes.remove' | 'volumes.prune'
  | 'networks.list' | 'networks.inspect' | 'networks.create' | 'networks.remove'>;

export function volumeNetworkHandlers(docker: Docker): Requests {
  return {
    async 'volumes.list'() {
      const [res, containers] = await Promise.all([
        docker.listVolumes(),
        // Who uses a volume is a nicety: an engine without containers yet still lists volumes.
        docker.listContainers({ all: true }).catch(() => []),
      ]);
      const users = volumeUsers(containers as never);
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
    async 'volumes.prune'() {
      const res = await docker.pruneVolumes();
      return { deleted: res.VolumesDeleted?.length ?? 0, spaceReclaimed: res.SpaceReclaimed ?? 0 };
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
