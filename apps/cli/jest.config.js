// End-to-end tests of the command line: each spec runs `invoicing` as a user would (a child process), offline or
// against an API it starts on the stack's FerretDB and Keycloak. The stack's global setup starts them or reuses them.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'cli',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  globalSetup: '<rootDir>/../../tools/stack/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/../../tools/stack/src/jest/global-teardown.ts',
  testTimeout: 120_000,
};
