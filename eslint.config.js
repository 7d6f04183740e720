// One lint setup for the whole repo. Besides style, it enforces the import boundaries of DESIGN.md:
// - renderer/ never imports Node built-ins or electron (it runs in a sandboxed page);
// - electron/src/host and electron/src/cli never import electron (they run in plain Node);
// - engine/ never imports the host, the renderer or electron, and its layers only import downward.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import globals from 'globals';
import { engineLayerZones } from './scripts/lint/engine-layers.js';

const noElectron = {
  paths: [{ name: 'electron', message: 'Only electron/src/main and electron/src/preload may import electron.' }],
  patterns: [{ group: ['electron/*'], message: 'Only electron/src/main and electron/src/preload may import electron.' }],
};

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/out/**',
      '**/cache/**',
      '.berth-dev/**',
      '.cache/**',
      'scripts/lint/__fixtures__/**',
      'vm-image/build/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ alwaysTryTypes: true })],
    },
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'import-x/no-nodejs-modules': 'error',
      'no-restricted-imports': [
        'error',
        {
          ...noElectron,
          patterns: [
            ...noElectron.patterns,
            { group: ['**/electron/src/**', '**/engine/**'], message: 'The renderer talks only to window.berth.' },
          ],
        },
      ],
    },
  },
  {
    // The UI contract is shared with the renderer (which imports it as @berth/electron/shared/*): it must run in a
    // page too, so no Node built-ins either.
    files: ['electron/src/shared/**/*.ts'],
    rules: { 'import-x/no-nodejs-modules': 'error' },
  },
  {
    files: ['electron/src/host/**/*.ts', 'electron/src/cli/**/*.ts', 'electron/src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...noElectron,
          patterns: [
            ...noElectron.patterns,
            { group: ['**/src/main/**', '**/src/preload/**'], message: 'Host code must not depend on the Electron shell.' },
          ],
        },
      ],
    },
  },
  {
    files: ['engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...noElectron,
          patterns: [
            ...noElectron.patterns,
            { group: ['**/electron/src/**', '**/renderer/**', 'react', 'react-dom'], message: 'The engine stands alone.' },
          ],
        },
      ],
      'import-x/no-restricted-paths': ['error', { zones: engineLayerZones('./engine/src') }],
    },
  },
);
