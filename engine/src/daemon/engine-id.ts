import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { atomicWriteFile } from '../base/fsutil.js';
import { promises as fs } from 'node:fs';

/** A stable identity for this engine (its data root), as dockerd's /info ID. */
export async function loadEngineId(dataRoot: string): Promise<string> {
  const file = path.join(dataRoot, 'engine-id');
  const existing = (await fs.readFile(file, 'utf8').catch(() => '')).trim();
  if (existing !== '') return existing;
  const id = randomUUID();
  await atomicWriteFile(file, `${id}\n`, 0o600);
  return id;
}
