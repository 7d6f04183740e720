import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerRig, type ContainerRig } from './harness.js';

// What the Berth VM runs with: the user's machine is 10.0.2.2 under QEMU's user networking.
const HOST_IP = '10.0.2.2';
let rig: ContainerRig;
beforeAll(async () => {
  rig = await startContainerRig({ extraArgs: ['--host-gateway-ip', HOST_IP] });
});
afterAll(async () => {
  await rig?.stop();
});

describe('--host-gateway-ip', () => {
  it('gives every container host.docker.internal, as Docker Desktop does', async () => {
    expect(await rig.check([], `grep -q "^${HOST_IP}\\shost.docker.internal$" /etc/hosts`)).toBe(0);
  });

  it('is what host-gateway means in --add-host', async () => {
    expect(await rig.check(['--add-host', 'myhost:host-gateway'], `grep -q "^${HOST_IP}\\smyhost$" /etc/hosts`)).toBe(0);
  });

  it('leaves a host.docker.internal the user gave alone', async () => {
    const script = 'grep -q "^10.1.2.3\\shost.docker.internal$" /etc/hosts && [ "$(grep -c host.docker.internal /etc/hosts)" = 1 ]';
    expect(await rig.check(['--add-host', 'host.docker.internal:10.1.2.3'], script)).toBe(0);
  });
});
