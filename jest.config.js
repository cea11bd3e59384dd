// One Jest run for the whole workspace: each package is a Jest project with its own settings.
module.exports = {
  projects: ['<rootDir>/packages/*/jest.config.js', '<rootDir>/tools/*/jest.config.js', '<rootDir>/apps/*/jest.config.js'],
  coverageProvider: 'v8',
  coverageReporters: ['text-summary', 'lcov'],
};
