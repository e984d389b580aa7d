// Native-ESM Jest (NestJS 12 is ESM-only): see STACK-NOTES. `#lib` imports map to sources.
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  moduleNameMapper: {
    '^#domain$': '<rootDir>/libs/domain/src/index.ts',
    '^#domain/testing$': '<rootDir>/libs/domain/src/testing.ts',
    '^#event-store$': '<rootDir>/libs/event-store/src/index.ts',
    '^#read-models$': '<rootDir>/libs/read-models/src/index.ts',
    '^#adapters$': '<rootDir>/libs/adapters/src/index.ts',
    '^#runtime$': '<rootDir>/libs/runtime/src/index.ts',
    '^#application$': '<rootDir>/libs/application/src/index.ts',
    '^#testing/projection$': '<rootDir>/libs/testing/src/projection.ts',
    '^#testing$': '<rootDir>/libs/testing/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
};

export default {
  projects: [
    {
      // Pure specs: no database, no global setup, so `npm run test:unit` runs in seconds anywhere.
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/deploy/**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.(db|http)\\.spec\\.ts$'],
    },
    {
      ...common,
      displayName: 'db',
      testMatch: ['<rootDir>/libs/**/*.db.spec.ts', '<rootDir>/apps/**/*.db.spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
    {
      ...common,
      // Against fake servers on loopback (GitHub, Clerk, Cohere) through the real SDKs; no database.
      displayName: 'http',
      testMatch: ['<rootDir>/libs/**/*.http.spec.ts', '<rootDir>/apps/**/*.http.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
    {
      ...common,
      displayName: 'esdb',
      testMatch: ['<rootDir>/libs/**/*.esdb.ts'],
    },
  ],
  testTimeout: 120000,
};
