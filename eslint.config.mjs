// ESLint flat config. The house rule that matters most: the pure layers never import
// `vscode` (src/core runs in plain Node tests and in dist/core.js; src/server runs
// outside VS Code; webviews run in a browser), and webviews import nothing from src/
// but src/protocol.
import tseslint from 'typescript-eslint';

const noVscode = {
  name: 'vscode',
  message: 'src/core, src/server, src/protocol and webviews/ must not depend on the VS Code API; put editor glue in src/extension.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'dist-test/**', 'node_modules/**', 'test-results/**', '.vscode-test/**', 'examples/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Settings are read and written through src/extension/settings.ts only: typed, with
    // package.json's defaults, machine settings from the user's value.
    files: ['src/**/*.ts'],
    ignores: ['src/extension/settings.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name='getConfiguration']", message: 'Read settings through src/extension/settings.ts (setting / updateSetting / settingChanged).' },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/server/**/*.ts', 'src/protocol/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [noVscode] }],
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
