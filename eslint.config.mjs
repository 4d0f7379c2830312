// ESLint flat config. The house rule that matters most: the pure layers never import
// `vscode` (src/core runs in plain Node tests and in dist/core.js; src/server runs
// outside VS Code; webviews run in a browser), and webviews import nothing from src/
// but src/protocol.
import tseslint from 'typescript-eslint';

// Node's own globals, read from the Node running this config (no `globals` package needed).
/** @type {Record<string, 'readonly'>} */
const nodeGlobals = Object.fromEntries(Object.getOwnPropertyNames(globalThis).map((name) => [name, 'readonly']));
/** @type {Record<string, 'readonly'>} */
const browserGlobals = Object.fromEntries(['window', 'document', 'requestAnimationFrame', 'getComputedStyle', 'HTMLElement', 'HTMLCanvasElement'].map((name) => [name, 'readonly']));

const noVscode = {
  name: 'vscode',
  message: 'src/core, src/server, src/protocol and webviews/ must not depend on the VS Code API; put editor glue in src/extension.',
};

const ONE_WAY = [
  {
    owner: 'src/extension/settings.ts',
    selector: "MemberExpression[property.name='getConfiguration']",
    message: 'Read settings through src/extension/settings.ts (setting / updateSetting / settingChanged).',
  },
  {
    owner: 'src/extension/notify.ts',
    selector: 'MemberExpression[property.name=/^show(Error|Warning|Information)Message$/]',
    message: 'Show messages through src/extension/notify.ts (showError / showWarning / showInfo): it owns the "MLOps:" prefix.',
  },
  {
    owner: 'src/extension/commandWrapper.ts',
    selector: "MemberExpression[object.property.name='commands'][property.name=/^register(TextEditor)?Command$/]",
    message: 'Register commands through src/extension/commandWrapper.ts (registerCommand): it logs, times and reports failures.',
  },
];

/** The rules for all of src/, then for each owner file the same rules less its own. */
function oneWayRules() {
  /** @type {(except: string | undefined) => import('eslint').Linter.RuleEntry} */
  const rule = (except) => ['error', ...ONE_WAY.filter((r) => r.owner !== except).map(({ selector, message }) => ({ selector, message }))];
  return [
    { files: ['src/**/*.ts'], rules: { 'no-restricted-syntax': rule(undefined) } },
    ...ONE_WAY.map((r) => ({ files: [r.owner], rules: { 'no-restricted-syntax': rule(r.owner) } })),
  ];
}

export default tseslint.config(
  { ignores: ['dist/**', 'dist-test/**', 'node_modules/**', 'test-results/**', '.vscode-test/**', 'examples/**', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.cjs'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The scripts, the E2E driver and the benchmarks are plain JavaScript run by Node: the
  // same rules, plus no-undef (TypeScript does that for .ts) against Node's globals.
  {
    files: ['**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: nodeGlobals },
    rules: { 'no-undef': 'error' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...nodeGlobals, require: 'readonly', module: 'writable', exports: 'writable', __dirname: 'readonly', __filename: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Functions these pass to page.evaluate / frame.evaluate run in the browser page.
  {
    files: ['test/e2e/*.mjs', 'bench/charts.bench.mjs', 'bench/experiments-table.bench.mjs', 'bench/live-metric.bench.mjs', 'bench/runs-server-search.bench.mjs'],
    languageOptions: { globals: { ...nodeGlobals, ...browserGlobals } },
  },
  // One way to do each thing: settings through settings.ts, messages through notify.ts,
  // commands through commandWrapper.ts. Each of those files is exempt from its own rule.
  ...oneWayRules(),
  {
    files: ['src/core/**/*.ts', 'src/server/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [noVscode] }],
    },
  },
  // src/protocol is bundled into every webview: a value imported from core would pull core
  // code (and what it imports) into the browser. Types cost nothing at run time.
  {
    files: ['src/protocol/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [noVscode],
          patterns: [
            {
              group: ['**/core', '**/core/**'],
              allowTypeImports: true,
              message: 'src/protocol may import only types from src/core (it is bundled into the webviews); move a shared pure helper into src/protocol.',
            },
            { group: ['**/extension', '**/extension/**', '**/server', '**/server/**'], message: 'src/protocol is shared by every runtime: it imports nothing from src/extension or src/server.' },
          ],
        },
      ],
    },
  },
  {
    files: ['webviews/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [noVscode],
          patterns: [
            {
              group: ['**/src/core/**', '**/src/extension/**', '**/src/server/**'],
              message: 'webviews/ may import only from src/protocol.',
            },
          ],
        },
      ],
    },
  },
);
