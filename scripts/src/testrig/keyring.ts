import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { spawnTracked, stopByPid, waitUntil } from './processes.js';

const run = promisify(execFile);

export const GNOME_KEYRING_DAEMON = '/usr/bin/gnome-keyring-daemon';
export const DBUS_DAEMON = '/usr/bin/dbus-daemon';
export const SECRET_TOOL = '/usr/bin/secret-tool';

export interface TestKeyring {
  /** What a process needs to reach this keyring: the private session bus. */
  env: { DBUS_SESSION_BUS_ADDRESS: string };
  password: string;
  /** `secret-tool ARGS` against this keyring. */
  secretTool(args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Why the keyring cannot start here (packages missing), or undefined. */
export function keyringUnavailable(): string | undefined {
  const missing = [GNOME_KEYRING_DAEMON, DBUS_DAEMON, SECRET_TOOL].filter((p) => !existsSync(p));
  return missing.length ? `missing ${missing.join(', ')} (Debian gnome-keyring, dbus, libsecret-tools: scripts/setup.sh installs them)` : undefined;
}

// A session bus with no service directories: nothing is activated behind the test's back, so the only Secret
// Service on it is the gnome-keyring-daemon started here.
const busConfig = (socket: string) => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;

/**
 * A real Secret Service for tests: a private D-Bus session bus and Debian's gnome-keyring-daemon on it, with a
 * fresh login keyring created and unlocked with a test password, its files in a temp home. Both processes are
 * stopped by PID.
 */
export async function startKeyring(opts: { password?: string } = {}): Promise<TestKeyring> {
  const why = keyringUnavailable();
  if (why) throw new Error(`test keyring: ${why}`);
  const password = opts.password ?? 'berth-test-keyring';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'berth-keyring-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const c of children.reverse()) await stopByPid(c, 3_000);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const home = path.join(dir, 'home');
    const runtime = path.join(dir, 'run');
    await mkdir(home, { recursive: true });
    await mkdir(runtime, { recursive: true, mode: 0o700 });
    const socket = path.join(runtime, 'bus');
    await writeFile(path.join(dir, 'bus.conf'), busConfig(socket));
    const bus = spawnTracked(DBUS_DAEMON, [`--config-file=${path.join(dir, 'bus.conf')}`, '--nofork', '--nopidfile'], { stdio: 'ignore' });
    children.push(bus);
    await waitUntil(async () => existsSync(socket), { child: bus, timeoutMs: 10_000, what: 'dbus-daemon' });
    const address = `unix:path=${socket}`;
    const env = { ...process.env, HOME: home, XDG_RUNTIME_DIR: runtime, XDG_DATA_HOME: path.join(home, '.local', 'share'), DBUS_SESSION_BUS_ADDRESS: address };
    // --unlock reads the password from stdin and creates the login keyring with it when there is none.
    const gkd = spawnTracked(GNOME_KEYRING_DAEMON, ['--unlock', '--foreground', '--components=secrets'], { stdio: ['pipe', 'ignore', 'ignore'], env });
    children.push(gkd);
    gkd.stdin!.end(password);
    const hasOwner = async () => {
      const { stdout } = await run('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus',
        'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets'], { env });
      return /boolean true/.test(stdout);
    };
    await waitUntil(hasOwner, { child: gkd, timeoutMs: 15_000, what: 'gnome-keyring-daemon on the test bus' });
    return {
      env: { DBUS_SESSION_BUS_ADDRESS: address },
      password,
      async secretTool(args) {
        return (await run(SECRET_TOOL, args, { env })).stdout;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
