import { fileURLToPath } from 'node:url';
import path from 'node:path';

// This file sits at scripts/src/testrig (source, run by vitest) or scripts/dist/testrig (built): three levels below
// the repo root either way.
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where the rig keeps what it builds once and reuses across processes (fixtures keyed by a content hash). */
export const rigCacheDir = path.join(repoRoot, '.cache', 'testrig');
