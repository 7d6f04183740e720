import { berthPaths } from '../host/paths.js';
import { useContextSetting } from '../host/toolchain/context-setting.js';
import { formatHostToolsReport, setUpHostTools } from '../host/toolchain/host-tools.js';

/**
 * `berth setup-host [--socket PATH]`: what `berth start` does on this side once the engine answers (tools on PATH,
 * config.json, the berth context current). scripts/start.sh --native runs it for a berthd on the host.
 */
export async function main(argv: string[]): Promise<void> {
  const paths = berthPaths();
  const i = argv.indexOf('--socket');
  const socket = i >= 0 && argv[i + 1] ? argv[i + 1]! : paths.dockerSocket;
  const report = setUpHostTools({ paths, socket, useContext: useContextSetting(paths.settings) });
  process.stdout.write(`${formatHostToolsReport(report)}\n`);
}
