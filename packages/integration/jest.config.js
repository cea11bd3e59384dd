// The adapters are tested against a real server: the stack's global setup starts FerretDB for the run (or reuses
// a running `npm run stack:up` stack, or the server MONGO_URL names) and exports MONGO_URL to the workers.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  collectCoverageFrom: ['<rootDir>/src/**/*.ts', '!<rootDir>/src/**/*.spec.ts', '!<rootDir>/src/**/index.ts'],
  globalSetup: '<rootDir>/../../tools/stack/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/../../tools/stack/src/jest/global-teardown.ts',
};
