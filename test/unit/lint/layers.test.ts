// The dependency rule is enforced by the lint configuration: these cases are
// what a developer would see if a change crossed a layer. They run the layer
// rules exported by eslint.config.js on source text placed at a path in each
// layer, and check that the full configuration applies those same rules.
import { ESLint } from 'eslint';
import { resolve } from 'node:path';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

/** One block of `layerRules`: the layer's files and what they must not import. */
interface LayerRule {
  files: string[];
  rules: { '@typescript-eslint/no-restricted-imports': ['error', unknown] };
}

// The configuration is plain JavaScript without type declarations: load it by
// URL (a dynamic import of a computed specifier) and state the shape used here.
const configUrl = new URL('../../../eslint.config.js', import.meta.url).href;
const { layerRules } = (await import(configUrl)) as { layerRules: LayerRule[] };

// Only the layer rules and a TypeScript parser: no type information needed,
// so files that do not exist can be linted from text.
const layersOnly = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: [
    {
      files: ['**/*.{ts,tsx}'],
      languageOptions: { parser: tseslint.parser },
      plugins: { '@typescript-eslint': tseslint.plugin },
    },
    ...layerRules,
  ],
});

async function problems(path: string, code: string): Promise<string[]> {
  const [result] = await layersOnly.lintText(code, { filePath: resolve(root, path) });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

const denied = [
  ['src/domain/challenges/example.ts', "import fastify from 'fastify';", 'domain has no HTTP'],
  ['src/domain/example.ts', "import type { FastifyRequest } from 'fastify';", 'domain has no HTTP, not even its types'],
  ['src/domain/accounts/example.ts', "import { renderPage } from '../../web/render.js';", 'domain never imports web'],
  ['src/domain/example.ts', "import { main } from '../cli/index.js';", 'domain never imports cli'],
  ['src/security/example.ts', "import { errorPage } from '../web/errors.js';", 'security never imports web'],
  [
    'src/security/ratelimit/example.ts',
    "import type { SessionUser } from '../../web/types.js';",
    'security never imports web types',
  ],
  [
    'src/security/example.ts',
    "import { findUser } from '../domain/accounts/users.js';",
    'security never imports domain',
  ],
  ['src/math/example.ts', "import { loadConfig } from '../config/index.js';", 'math takes only types from config'],
  ['src/math/example.ts', "import { db } from '../db/index.js';", 'math is pure'],
  ['src/math/example.ts', "import { TextCache } from '../lib/text-cache.js';", 'math imports nothing of ours'],
  ['src/config/example.ts', "import { checkAnswer } from '../math/index.js';", 'config takes only types from math'],
  ['src/lib/example.ts', "import { Db } from '../db/index.js';", 'lib imports nothing of ours'],
  ['src/db/example.ts', "import { listUsers } from '../domain/accounts/users.js';", 'db is below domain'],
  ['src/server.ts', "import { runDoctor } from './cli/doctor.js';", 'the server does not import the command line'],
  [
    'src/web/routes/example.tsx',
    "import { program } from '../../cli/index.js';",
    'web does not import the command line',
  ],
  [
    'client/example.ts',
    "import { checkAnswer } from '../src/math/index.js';",
    'browser code does not import server code',
  ],
  [
    'client/lib/example.ts',
    "import { parseMath } from '../../src/math/parser.js';",
    'browser code takes the answer reading only through src/math/preview.ts',
  ],
  [
    'client/lib/example.ts',
    "import type { Reason } from '../../src/math/types.js';",
    'browser code takes even types only from src/math/preview.ts',
  ],
  [
    'client/lib/example.ts',
    "import { renderPage } from '../../src/web/render.js';",
    'browser code does not import the web layer',
  ],
  ['client/example.ts', "import { loadConfig } from '../src/config/index.js';", 'browser code does not import config'],
] as const;

const allowed = [
  [
    'src/domain/challenges/example.ts',
    "import { sql } from 'kysely';\nimport type { Db } from '../../db/index.js';\nimport { TextCache } from '../../lib/text-cache.js';",
  ],
  [
    'src/domain/example.ts',
    "import type { Config } from '../config/index.js';\nimport { checkAnswer } from '../math/index.js';",
  ],
  [
    'src/security/example.ts',
    "import type { Config } from '../config/index.js';\nimport { TextCache } from '../lib/text-cache.js';\nimport type { FastifyRequest } from 'fastify';",
  ],
  ['src/math/example.ts', "import type { Config } from '../config/index.js';\nimport { parse } from './parser.js';"],
  ['src/config/example.ts', "import type { AnswerOptions } from '../math/index.js';"],
  [
    'src/web/routes/example.tsx',
    "import { listChallenges } from '../../domain/challenges/challenges.js';\nimport { HttpError } from '../../security/access.js';\nimport type { FastifyInstance } from 'fastify';",
  ],
  ['client/lib/example.ts', "import { previewAnswer, type Reason } from '../../src/math/preview.js';"],
  ['client/example.ts', "import { previewAnswer } from '../src/math/preview.js';\nimport 'mathlive';"],
  [
    'src/cli/example.ts',
    "import { loadConfig } from '../config/index.js';\nimport { runSetup } from '../domain/setup.js';",
  ],
] as const;

describe('the layer rules in eslint.config.js', () => {
  it.each(denied)('%s: refuses %s (%s)', async (path, code) => {
    const found = await problems(path, code);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^@typescript-eslint\/no-restricted-imports: /);
  });

  it.each(allowed)('%s: allows %s', async (path, code) => {
    expect(await problems(path, code)).toEqual([]);
  });

  it('are part of the configuration `npm run lint` uses, for every layer', async () => {
    const full = new ESLint({ cwd: root });
    for (const path of [
      'src/domain/home.ts',
      'src/security/access.ts',
      'src/math/engine.ts',
      'src/config/index.ts',
      'src/lib/csv.ts',
      'src/db/index.ts',
      'src/server.ts',
      'client/lib/answer-preview.ts',
    ]) {
      const config = (await full.calculateConfigForFile(resolve(root, path))) as { rules?: Record<string, unknown> };
      expect(config.rules?.['@typescript-eslint/no-restricted-imports'], path).toBeDefined();
      const ownLayer = layerRules.filter((block) => block.files.some((glob) => matchesFolder(glob, path)));
      expect(ownLayer.length, path).toBeGreaterThan(0);
      expect(config.rules?.['@typescript-eslint/no-restricted-imports']).toEqual([
        2,
        ownLayer.at(-1)?.rules['@typescript-eslint/no-restricted-imports'][1],
      ]);
    }
  });
});

/** Whether a layer's glob ('src/domain/**\/*.{ts,tsx}' or 'src/server.ts') covers the path. */
function matchesFolder(glob: string, path: string): boolean {
  const folder = glob.split('/**')[0] ?? glob;
  return glob.includes('/**') ? path.startsWith(`${folder}/`) : path === glob;
}
