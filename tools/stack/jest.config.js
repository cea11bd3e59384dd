const preset = require('../../jest.preset.js');

// The specs here run against real servers: the global setup starts FerretDB and Keycloak for the run
// (or reuses a running `npm run stack:up` stack, or the servers that MONGO_URL / KEYCLOAK_URL name).
module.exports = {
  ...preset,
  displayName: 'stack',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // jose ships ES modules only: let swc compile it to CommonJS like our own code.
  transform: { '^.+\\.(ts|js)$': preset.transform['^.+\\.ts$'] },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  globalSetup: '<rootDir>/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/src/jest/global-teardown.ts',
};
