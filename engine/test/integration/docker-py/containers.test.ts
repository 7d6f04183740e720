import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerRig, type ContainerRig } from '../containers/harness.js';
import { runPy } from './py.js';

let rig: ContainerRig;
beforeAll(async () => {
  rig = await startContainerRig();
});
afterAll(async () => {
  const left = (await rig?.docker(['ps', '-aq']))?.stdout.split('\n').filter(Boolean) ?? [];
  if (left.length > 0) await rig.docker(['rm', '-f', ...left]);
  await rig?.stop();
});

const py = <T>(body: string): Promise<T> => runPy<T>(rig.berthd.dockerHost, rig.busybox, body);

describe('docker-py 5.0.3 sees containers as on dockerd', () => {
  it('frames exec output by the start request Tty, not the exec one', async () => {
    const got = await py<string[]>(`
c = api.create_container(image, "sleep 600")
api.start(c)
out = []
e = api.exec_create(c, "echo with-tty", tty=True)
out.append(api.exec_start(e).decode())
e = api.exec_create(c, ["sh", "-c", "echo no-tty; echo err >&2"])
out.append(api.exec_start(e, tty=True).decode())
e = api.exec_create(c, ["sh", "-c", "echo plain"])
out.append(api.exec_start(e).decode())
api.remove_container(c, force=True)
emit(out)
`);
    // A TTY exec started without Tty: multiplexed, the terminal's \\r\\n inside; the opposite: raw stdout and stderr.
    expect(got[0]).toBe('with-tty\r\n');
    expect(got[1]?.split('\n').sort()).toEqual(['', 'err', 'no-tty']);
    expect(got[2]).toBe('plain\n');
  });

  it('commits and force-removes a container that is just exiting, 10 times each, without a runtime error', async () => {
    const got = await py<string[]>(`
errors = []
for i in range(10):
    c = api.create_container(image, ["touch", "/test"])
    api.start(c)
    try:
        img = api.commit(c["Id"])
        api.remove_image(img["Id"])
    except docker.errors.APIError as e:
        errors.append("commit: " + str(e))
    api.remove_container(c, force=True)
    c = api.create_container(image, "true")
    api.start(c)
    try:
        api.remove_container(c, force=True)
    except docker.errors.APIError as e:
        errors.append("rm -f: " + str(e))
emit(errors)
`);
    expect(got).toEqual([]);
  });
});
