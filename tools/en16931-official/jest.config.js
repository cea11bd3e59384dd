const preset = require('../../jest.preset.js');

// The specs run the real official validator (Java, Saxon-HE, the CEN schematron): the first run downloads it from
// Maven Central into the stack's cache, which takes longer than the JVM runs that follow.
module.exports = {
  ...preset,
  displayName: 'en16931-official',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
