// The `docker-extension` CLI plugin: the docker CLI runs it as `docker-extension extension VERB …` and asks it
// `docker-cli-plugin-metadata` first (the plugin protocol); the verbs are `berth extension`'s. The CLI asks every
// plugin for its metadata on `docker --help` and each plugin command, so that answer loads nothing: the extension
// code (the engine client, the manager) is imported only for a verb.

export const PLUGIN_METADATA = {
  SchemaVersion: '0.1.0',
  Vendor: 'Berth',
  Version: 'v0.1.0',
  ShortDescription: 'Manages Docker extensions',
};

export async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'docker-cli-plugin-metadata') {
    process.stdout.write(`${JSON.stringify(PLUGIN_METADATA, null, 2)}\n`);
    return;
  }
  const args = argv[0] === 'extension' ? argv.slice(1) : argv;
  try {
    const { runExtensionCommand } = await import('./extension.js');
    process.exitCode = await runExtensionCommand(args, undefined, 'docker extension');
  } catch (e) {
    process.stderr.write(`Error: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
