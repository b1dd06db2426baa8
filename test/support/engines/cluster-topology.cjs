/**
 * Jest setupFiles entry of the `cluster-e2e` project: every `startServer` of the suites it runs starts a
 * 3-node cluster on PostgreSQL + Redis (test/support/server-launcher.ts, engines/cluster-launcher.ts).
 */
process.env.LIANXIN_TEST_TOPOLOGY = 'cluster';
