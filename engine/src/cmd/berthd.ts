import { Command, Option } from 'commander';
import { errorMessage } from '../base/errors.js';
import { LOG_LEVELS, createLogger, type LogLevel } from '../base/log.js';
import { BUILD_INFO, ENGINE_VERSION } from '../base/version.js';
import { DEFAULTS, DEFAULT_CONFIG_FILE, mergeConfig, readConfigFile, type FlagValues } from '../daemon/config.js';
import { parseAddressPool } from '../daemon/cidr.js';
import { startDaemon } from '../daemon/daemon.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function buildCommand(): Command {
  return new Command('berthd')
    .description('Berth container engine: a Docker Engine API daemon.')
    .version(`Berth Engine version ${ENGINE_VERSION}, build ${BUILD_INFO.gitCommit}`, '-v, --version', 'Print version information and quit')
    .option('-H, --host <socket>', `Daemon socket to listen on, repeatable (default ${DEFAULTS.hosts[0]})`, collect)
    .option('--raw-host <socket>', 'Socket serving the unfiltered API (Docker Desktop\'s docker.sock.raw): extension containers are always listed, repeatable', collect)
    .option('--data-root <dir>', `Root directory of persistent state (default ${DEFAULTS.dataRoot})`)
    .option('--exec-root <dir>', `Root directory for execution state files (default ${DEFAULTS.execRoot})`)
    .option('-p, --pidfile <file>', `Path to use for the daemon PID file (default ${DEFAULTS.pidfile})`)
    .option('--config-file <file>', 'Daemon configuration file', DEFAULT_CONFIG_FILE)
    .addOption(new Option('-l, --log-level <level>', 'Set the logging level (default info)').choices([...LOG_LEVELS]))
    .option('-D, --debug', 'Enable debug mode (same as --log-level debug)')
    .option('--insecure-registry <registry>', 'Registry (host:port) to reach over plain HTTP or unverified TLS, repeatable', collect)
    .option('--registry-mirror <url>', 'Preferred Docker Hub mirror, repeatable', collect)
    .option('--default-runtime <name>', `Default OCI runtime for containers: runc or crun (default ${DEFAULTS.defaultRuntime})`)
    .option('--bip <cidr>', "Address and prefix of the default bridge's gateway, e.g. 10.88.0.1/16")
    .option('--default-address-pool <pool>', 'Address pool for new networks, e.g. base=172.30.0.0/16,size=24, repeatable', collect)
    .option('--bridge-name <name>', `Name of the default bridge interface (default ${DEFAULTS.bridgeName})`)
    .option('--host-gateway-ip <ip>', "IP that 'host-gateway' in --add-host means; when set, containers also get host.docker.internal")
    .option('-G, --group <group>', `Group that may use the API socket (default ${DEFAULTS.group})`)
    .helpOption('-h, --help', 'Print usage')
    .showHelpAfterError('(run berthd --help for usage)');
}

/** The flags the user actually typed; only those can conflict with daemon.json. */
function explicitFlags(cmd: Command): FlagValues {
  const o = cmd.opts<Record<string, unknown>>();
  const given = (key: string): boolean => cmd.getOptionValueSource(key) === 'cli';
  const flags: FlagValues = {};
  if (given('host')) flags.hosts = o.host as string[];
  if (given('rawHost')) flags.rawHosts = o.rawHost as string[];
  if (given('dataRoot')) flags.dataRoot = o.dataRoot as string;
  if (given('execRoot')) flags.execRoot = o.execRoot as string;
  if (given('pidfile')) flags.pidfile = o.pidfile as string;
  if (given('logLevel')) flags.logLevel = o.logLevel as LogLevel;
  else if (given('debug')) flags.logLevel = 'debug';
  if (given('insecureRegistry')) flags.insecureRegistries = o.insecureRegistry as string[];
  if (given('registryMirror')) flags.registryMirrors = o.registryMirror as string[];
  if (given('defaultRuntime')) flags.defaultRuntime = o.defaultRuntime as string;
  if (given('bip')) flags.bip = o.bip as string;
  if (given('defaultAddressPool')) flags.defaultAddressPools = (o.defaultAddressPool as string[]).map(parseAddressPool);
  if (given('bridgeName')) flags.bridgeName = o.bridgeName as string;
  if (given('hostGatewayIp')) flags.hostGatewayIp = o.hostGatewayIp as string;
  if (given('group')) flags.group = o.group as string;
  return flags;
}

/** Entry point of `engine/bin/berthd`. Exits non-zero with one clear line when it cannot start. */
export async function main(argv: string[]): Promise<void> {
  const cmd = buildCommand();
  cmd.parse(argv, { from: 'user' });
  let log = createLogger('info');
  try {
    const configFile = cmd.opts<{ configFile: string }>().configFile;
    const file = readConfigFile(configFile, cmd.getOptionValueSource('configFile') === 'cli');
    const config = mergeConfig(explicitFlags(cmd), file, configFile);
    log = createLogger(config.logLevel);
    // The handlers go in before start-up: the API socket answers while start-up still awaits (chmod/chown of the
    // socket), and a SIGTERM then, with Node's default action, killed berthd and left its socket and pidfile behind.
    const starting = startDaemon(config, log);
    let signalled = false;
    const shutdown = (signal: NodeJS.Signals): void => {
      if (signalled) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      signalled = true;
      log.info({ signal }, 'shutting down');
      const force = setTimeout(() => {
        log.error('shutdown took longer than 15s; exiting');
        process.exit(1);
      }, 15_000);
      force.unref();
      starting.then((daemon) => daemon.stop()).then(
        () => {
          log.info('berthd stopped');
          process.exit(0);
        },
        (err: unknown) => {
          log.error({ err: errorMessage(err) }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
    await starting;
  } catch (err) {
    log.fatal({ err: errorMessage(err) }, 'berthd failed to start');
    process.stderr.write(`berthd: ${errorMessage(err)}\n`);
    process.exit(1);
  }
}
