import os from 'node:os';
import path from 'node:path';

/**
 * Where Berth keeps its files on the user's machine. `BERTH_HOME` moves everything (tests use a temp dir);
 * the default is `~/.berth`, beside `~/.docker`, as Docker Desktop keeps `~/.docker/desktop`.
 */
export interface BerthPaths {
  home: string;
  /** Sockets and pid files: `run/docker.sock` is the host API socket the docker CLI talks to. */
  run: string;
  dockerSocket: string;
  logs: string;
  settings: string;
  vm: string;
  /** Links to the bundled `docker`, `docker-credential-berth`, … (the line users add to PATH). */
  bin: string;
  /** Links to the bundled CLI plugins: named in `cliPluginsExtraDirs` of ~/.docker/config.json. */
  cliPlugins: string;
  /** Registry → user name of the credentials in the OS keychain (no secrets). */
  credentialIndex: string;
  /** What Berth changed outside its home (config.json keys, links), so uninstall undoes exactly that. */
  hostChanges: string;
}

export function berthPaths(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): BerthPaths {
  const home = env.BERTH_HOME ?? path.join(os.homedir(), '.berth');
  const run = path.join(home, 'run');
  return {
    home,
    run,
    // Windows has no unix sockets for the docker CLI: it uses a named pipe.
    dockerSocket: platform === 'win32' ? '\\\\.\\pipe\\berth_engine' : path.join(run, 'docker.sock'),
    logs: path.join(home, 'logs'),
    settings: path.join(home, 'settings.json'),
    vm: path.join(home, 'vm'),
    bin: path.join(home, 'bin'),
    cliPlugins: path.join(home, 'cli-plugins'),
    credentialIndex: path.join(home, 'credentials.json'),
    hostChanges: path.join(home, 'host-changes.json'),
  };
}
