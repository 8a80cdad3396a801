// Lint rules, including the folder walls of CONVENTIONS.md (core `no-restricted-imports` per folder).
import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import svelteConfig from './svelte.config.js';

const electron = { name: 'electron', message: 'Only src/main/app and src/preload may import electron.' };
const sqlite = { name: 'better-sqlite3', message: 'SQL and better-sqlite3 live in src/main/db only.' };
const frontEnds = {
  group: ['**/app/**', '**/renderer/**', '**/preload/**', '**/cli/**'],
  message: 'The core must not depend on a front end.',
};
const mlNoDb = {
  group: ['**/db/**', '**/db/index'],
  message: 'src/main/ml (outside its worker) never touches the store; the worker hands it TrainData.',
};
const mlNoDatasets = {
  group: ['**/datasets/**'],
  message: 'src/main/ml imports nothing from src/main/datasets (seeded randomness is in src/main/util).',
};
const wall = (patterns, paths = []) => ({
  'no-restricted-imports': ['error', { paths, patterns }],
});

export default ts.config(
  {
    ignores: ['out/', 'node_modules/', 'test-artefacts/', '.ci/', 'bench/results.json', '.native/'],
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  prettier,
  ...svelte.configs.prettier,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'], svelteConfig },
    },
  },
  // src/shared: the contract; imports nothing of ours, nothing from Node or Electron.
  {
    files: ['src/shared/**/*'],
    rules: wall(
      [
        {
          group: ['**/main/**', '**/renderer/**', '**/cli/**', '**/preload/**'],
          message: 'src/shared imports nothing of ours.',
        },
        { group: ['node:*'], message: 'src/shared runs in the browser too: no Node modules.' },
      ],
      [electron],
    ),
  },
  // Everything under src/main except the Electron glue. Flat config does not merge rule options, so
  // the folders below repeat these walls and add their own.
  {
    files: ['src/main/**/*'],
    ignores: ['src/main/app/**/*'],
    rules: wall([frontEnds], [electron, sqlite]),
  },
  // SQL and better-sqlite3 live in src/main/db only.
  {
    files: ['src/main/db/**/*'],
    rules: wall([frontEnds], [electron]),
  },
  // The ML core (models, trainer, decoders) takes its data through TrainData: no store, no datasets.
  {
    files: ['src/main/ml/**/*'],
    ignores: ['src/main/ml/worker/**/*'],
    rules: wall([frontEnds, mlNoDb, mlNoDatasets], [electron, sqlite]),
  },
  // The worker is where the ML core meets the store (it writes runs and metrics); still no datasets.
  {
    files: ['src/main/ml/worker/**/*'],
    rules: wall([frontEnds, mlNoDatasets], [electron, sqlite]),
  },
  {
    files: ['src/cli/**/*'],
    rules: wall(
      [
        {
          group: ['**/main/app/**', '**/renderer/**', '**/preload/**'],
          message: 'The CLI uses the core, never the Electron shell or the UI.',
        },
      ],
      [electron, sqlite],
    ),
  },
  {
    files: ['src/renderer/**/*'],
    rules: wall(
      [
        {
          group: ['**/main/**', '**/cli/**', '**/preload/**'],
          message: 'The renderer talks to window.api and imports src/shared only.',
        },
        { group: ['node:*'], message: 'The renderer runs in a browser.' },
      ],
      [electron],
    ),
  },
  {
    files: ['src/preload/**/*'],
    rules: wall([
      {
        group: ['**/main/**', '**/renderer/**', '**/cli/**'],
        message: 'The preload derives window.api from src/shared only.',
      },
    ]),
  },
);
