/** Jest: unit tests are hermetic; e2e/interop tests start real server processes. */
const transform = { '^.+\\.(t|j|mj)s$': ['@swc/jest'] };
const common = {
  transform,
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testEnvironment: 'node',
  transformIgnorePatterns: ['/node_modules/'],
};
const clusterE2e = {
  ...common,
  displayName: 'cluster-e2e',
  testMatch: ['<rootDir>/test/e2e/sdk-*.test.ts'],
  setupFiles: ['<rootDir>/test/support/engines/cluster-topology.cjs'],
};
module.exports = {
  // Jest reads testTimeout only at the top level (a per-project value is ignored): e2e tests start
  // real servers and official clients, so the bound is generous; unit tests finish far below it.
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/server/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts', '<rootDir>/test/interop/**/*.test.ts', '<rootDir>/test/platforms/**/*.test.ts', '<rootDir>/server/test/e2e/**/*.test.ts'] },
    // The SDK e2e suites again, each `startServer` a 3-node cluster on PostgreSQL + Redis (issue #11).
    // scripts/test.mjs sets LIANXIN_CLUSTER_E2E=0 (and says so loudly) when redis-server or the
    // embedded PostgreSQL binaries are missing.
    ...(process.env.LIANXIN_CLUSTER_E2E === '0' ? [] : [clusterE2e]),
  ],
};
