/** Jest: unit tests are hermetic; e2e/interop tests start real server processes. */
const transform = { '^.+\\.(t|j|mj)s$': ['@swc/jest'] };
const common = {
  transform,
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testEnvironment: 'node',
  transformIgnorePatterns: ['/node_modules/'],
};
module.exports = {
  // Jest reads testTimeout only at the top level (a per-project value is ignored): e2e tests start
  // real servers and official clients, so the bound is generous; unit tests finish far below it.
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/server/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts', '<rootDir>/test/interop/**/*.test.ts', '<rootDir>/test/platforms/**/*.test.ts', '<rootDir>/server/test/e2e/**/*.test.ts'] },
  ],
};
