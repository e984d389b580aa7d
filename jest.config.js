// Native-ESM Jest (NestJS 12 is ESM-only): see STACK-NOTES. `#lib` imports map to sources.
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  moduleNameMapper: {
    '^#domain$': '<rootDir>/libs/domain/src/index.ts',
    '^#event-store$': '<rootDir>/libs/event-store/src/index.ts',
    '^#read-models$': '<rootDir>/libs/read-models/src/index.ts',
    '^#adapters$': '<rootDir>/libs/adapters/src/index.ts',
    '^#runtime$': '<rootDir>/libs/runtime/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
};

export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
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
