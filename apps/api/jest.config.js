// End-to-end tests over HTTP: each spec starts the API on a free port against the stack's FerretDB (its own
// database) and Keycloak (real tokens). The stack's global setup starts them or reuses running ones.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'api',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  globalSetup: '<rootDir>/../../tools/stack/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/../../tools/stack/src/jest/global-teardown.ts',
  testTimeout: 60_000,
};
