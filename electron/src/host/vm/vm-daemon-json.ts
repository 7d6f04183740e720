// daemon.json keys berthd in the VM gets as flags from Berth (berth-init and Settings). dockerd refuses a directive
// given both as a flag and in the file, so the dashboard refuses these keys up front and says where they live.
export const VM_DAEMON_JSON_RESERVED: Record<string, string> = {
  hosts: 'Berth serves the engine on its own socket (~/.berth/run/docker.sock)',
  'data-root': 'the VM keeps the engine data on its data disk (Settings → Disk size)',
  'exec-root': 'the VM keeps the engine runtime state under /run/berth',
  'default-runtime': 'the VM runs containers with crun',
  'host-gateway-ip': 'the VM points host.docker.internal at your machine',
  'registry-mirrors': 'set them in Settings → Registry mirrors',
  'insecure-registries': 'set them in Settings → Insecure registries',
};
