// What the app does on the user's side each time it starts, the same set-up `berth start` and `berth setup-host`
// (scripts/start.sh) run: links in ~/.berth/bin, config.json (cliPluginsExtraDirs, credsStore) and the berth context,
// current unless Settings says otherwise. Kept out of index.ts so the shell tests run it without the Electron binary.
import type { BerthPaths } from '../host/paths.js';
import { useContextSetting } from '../host/toolchain/context-setting.js';
import { formatHostToolsReport, setUpHostTools } from '../host/toolchain/host-tools.js';

/** The socket path behind the app's engine endpoint (`unix:///…`), else Berth's own host socket. */
export function engineSocket(engine: string, paths: BerthPaths): string {
  return engine.startsWith('unix://') ? engine.slice('unix://'.length) : paths.dockerSocket;
}

/** The set-up, run by startShell once the app is ready; answers the report for the host log. */
export function hostToolsOnStart(paths: BerthPaths, engine: string, env: NodeJS.ProcessEnv = process.env): () => string {
  return () => formatHostToolsReport(setUpHostTools({ paths, socket: engineSocket(engine, paths), useContext: useContextSetting(paths.settings), env }));
}
