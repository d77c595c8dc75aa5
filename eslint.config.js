// Lint rules for the whole repository. Beyond the recommended sets, this file
// encodes the dependency rule of docs/architecture.md: each layer lists what it
// must never import, so a change that crosses a layer fails `npm run lint`.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** A restricted-imports rule; type-only imports pass when `allowTypes` is set. */
function forbid(patterns) {
  return ['error', { patterns }];
}

const ours = (layer) => [`**/${layer}/**`, `**/${layer}.js`];
const FOLDERS = ['cli', 'config', 'db', 'domain', 'lib', 'math', 'security', 'web'];
/** Every folder of src/ but the given ones, and the entry files beside them. */
const allBut = (...keep) => [...FOLDERS.filter((f) => !keep.includes(f)).map((f) => `../${f}/**`), '../*.js'];

/** The layers, innermost first (see docs/architecture.md, "Dependency rule"). */
export const layerRules = [
  {
    // The answer engine and the configuration are leaves: nothing of ours but
    // each other's types.
    files: ['src/math/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': forbid([
        { group: allBut('math', 'config'), message: 'src/math imports nothing of ours (only types from src/config).' },
        { group: ['../config/**'], allowTypeImports: true, message: 'src/math may import only types from src/config.' },
        {
          group: ['fastify', '@fastify/*', 'kysely', 'pg', 'better-sqlite3'],
          message: 'src/math is pure: no HTTP, no database.',
        },
      ]),
    },
  },
  {
    files: ['src/config/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': forbid([
        { group: allBut('config', 'math'), message: 'src/config imports nothing of ours (only types from src/math).' },
        { group: ['../math/**'], allowTypeImports: true, message: 'src/config may import only types from src/math.' },
        { group: ['fastify', '@fastify/*'], message: 'src/config knows nothing of HTTP.' },
      ]),
    },
  },
  {
    files: ['src/lib/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': forbid([
        { group: ['../**'], message: 'src/lib holds generic helpers: nothing of ours.' },
        { group: ['fastify', '@fastify/*'], message: 'src/lib knows nothing of HTTP.' },
      ]),
    },
  },
  {
    files: ['src/db/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': forbid([
        {
          group: [...ours('web'), ...ours('domain'), ...ours('security'), ...ours('cli')],
          message: 'src/db sits below domain, security, web and cli.',
        },
        { group: ['fastify', '@fastify/*'], message: 'src/db knows nothing of HTTP.' },
      ]),
    },
  },
  {
    files: ['src/security/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': forbid([
        {
          group: [...ours('web'), ...ours('domain'), ...ours('cli')],
          message: 'src/security never imports web, domain or cli.',
        },
      ]),
    },
  },
  {
    files: ['src/domain/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': forbid([
        { group: [...ours('web'), ...ours('cli')], message: 'src/domain never imports web or cli.' },
        {
          group: ['fastify', 'fastify/*', '@fastify/*', 'fastify-plugin'],
          message: 'src/domain has no HTTP: take plain values, not requests.',
        },
      ]),
    },
  },
  {
    files: ['src/web/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': forbid([
        { group: ours('cli'), message: 'src/web never imports the command line.' },
      ]),
    },
  },
  {
    files: ['src/server.ts', 'src/app.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': forbid([
        {
          group: ours('cli'),
          message: 'The server does not import the command line; shared start-up code lives below it.',
        },
      ]),
    },
  },
  {
    // Browser code shares one module with the server: the answer engine's reading
    // for the preview beside each maths box (src/math/preview.ts, pure; ADR 020).
    files: ['client/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': forbid([
        {
          // Any path through a src/ folder, except exactly src/math/preview.js.
          regex: '(^|/)src(/(?!math/preview\\.js$)|$)',
          message: 'Browser code does not import server code (only src/math/preview.ts, the answer reading).',
        },
      ]),
    },
  },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'public/assets/',
      'dist/',
      'data/',
      'logs/',
      'bench/results/',
      'coverage/',
      'src/math/worker.mjs',
      'bin/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      // Fastify plugins and hooks are async by contract, with or without an await.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unsafe-assignment': 'error',
      '@typescript-eslint/no-unsafe-member-access': 'error',
      '@typescript-eslint/no-unsafe-call': 'error',
      '@typescript-eslint/no-unsafe-return': 'error',
      '@typescript-eslint/no-unsafe-argument': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='eval']", message: 'No eval: user input never becomes code.' },
        {
          selector: "NewExpression[callee.name='Function']",
          message: 'No new Function: user input never becomes code.',
        },
      ],
    },
  },
  {
    files: ['client/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  ...layerRules,
  prettier,
);
