import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ENGINE_LAYERS } from './engine-layers.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: repo });

/** Lints a probe file at a path inside the tree (it need not exist) and returns the rule IDs it broke. */
async function violations(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repo, file) });
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => m.ruleId ?? m.message);
}

describe('lint enforces the import boundaries of DESIGN.md', () => {
  it('the renderer may not import Node built-ins', async () => {
    expect(await violations('renderer/src/probe.ts', "import fs from 'node:fs';\nexport const x = fs;\n")).toContain(
      'import-x/no-nodejs-modules',
    );
  });

  it('the renderer may not import electron or host code', async () => {
    expect(await violations('renderer/src/probe.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n")).toContain(
      'no-restricted-imports',
    );
    expect(await violations('renderer/src/probe.ts', "import * as h from '../../electron/src/host/x.js';\nexport const x = h;\n")).toContain(
      'no-restricted-imports',
    );
  });

  it('the UI contract shared with the renderer may not import Node built-ins', async () => {
    expect(await violations('electron/src/shared/probe.ts', "import fs from 'node:fs';\nexport const x = fs;\n")).toContain(
      'import-x/no-nodejs-modules',
    );
  });

  it('host code may not import electron', async () => {
    expect(await violations('electron/src/host/probe.ts', "import { app } from 'electron';\nexport const x = app;\n")).toContain(
      'no-restricted-imports',
    );
  });

  it('an engine layer may not import a higher one', async () => {
    const code = "import { Router } from '../api/router.js';\nexport const x = Router;\n";
    expect(await violations('engine/src/base/probe.ts', code)).toContain('import-x/no-restricted-paths');
  });

  it('an engine layer may import a lower one', async () => {
    const code = "import { NotFound } from '../base/errors.js';\nexport const x = NotFound;\n";
    expect(await violations('engine/src/api/probe.ts', code)).toEqual([]);
  });

  it('every engine folder has a layer', () => {
    const folders = readdirSync(path.join(repo, 'engine/src'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    const known = new Set(ENGINE_LAYERS.flat());
    expect(folders.filter((f) => !known.has(f))).toEqual([]);
  });
});
