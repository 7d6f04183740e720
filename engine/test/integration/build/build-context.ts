// Build contexts for the build tests: a folder under `work` holding the given files (paths may have folders).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function writeContext(work: string, name: string, files: Record<string, string | Buffer>): Promise<string> {
  const dir = path.join(work, name);
  await mkdir(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  }
  return dir;
}
