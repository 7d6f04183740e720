import { runStart } from './start.js';

export async function main(_argv: string[]): Promise<void> {
  process.exitCode = await runStart('restart');
}
