/**
 * The cluster topology of the e2e launcher (`LIANXIN_TEST_TOPOLOGY=cluster`, jest project `cluster-e2e`):
 * `startServer` then returns a balancer over three nodes on PostgreSQL + Redis with the single-server
 * interface, and SDK clients of one test land on different nodes, so the SDK suites run under it really
 * exercise cross-node delivery.
 */
import { TextMessage, type Message } from '../../../../src/index';
import type { ClusterServer } from '../../../../test/support/engines/cluster-launcher';
import { DEFAULT_TEST_APP, startServer } from '../../../../test/support/server-launcher';
import { call, sdkUser, type SdkUser } from '../../../../test/e2e/sdk-api-support';
import { clusterAvailable, connectionsOn, skipClusterSuite } from './cluster-support';

if (!clusterAvailable()) {
  skipClusterSuite('cluster launcher test');
} else {
  let server: ClusterServer | undefined;
  const users: SdkUser[] = [];

  afterAll(async () => {
    for (const u of users) u.im.disconnect();
    await server?.stop();
  }, 60_000);

  it('startServer under LIANXIN_TEST_TOPOLOGY=cluster starts three nodes; clients spread over them and reach each other', async () => {
    process.env.LIANXIN_TEST_TOPOLOGY = 'cluster';
    try {
      server = (await startServer({ apps: [DEFAULT_TEST_APP] })) as ClusterServer;
    } finally {
      delete process.env.LIANXIN_TEST_TOPOLOGY;
    }
    expect(server.nodes).toHaveLength(3);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.stdout()).toMatch(/listening on[\s\S]*listening on[\s\S]*listening on/);
    for (let i = 0; i < 6; i++) {
      const user = await sdkUser(server, DEFAULT_TEST_APP, `spread${i}`);
      await user.connect();
      users.push(user);
    }
    const perNode = await Promise.all(server.nodes.map((n) => connectionsOn(n)));
    expect(perNode.reduce((a, b) => a + b, 0)).toBe(6);
    expect(perNode.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    const [from, ...others] = users as [SdkUser, ...SdkUser[]];
    for (const to of others) {
      const sent = await call<Message>((cb) => from.im.sendMessage(1, to.userId, new TextMessage({ content: `hi ${to.userId}` }), cb));
      expect(sent.ok).toBe(true);
      await to.next((m) => m.senderUserId === from.userId && (m.content as { content?: unknown }).content === `hi ${to.userId}`);
    }
  }, 60_000);

  it('stop() ends every node and the engines', async () => {
    const running = server as ClusterServer;
    for (const u of users.splice(0)) u.im.disconnect();
    await running.stop();
    server = undefined;
    for (const node of running.nodes) expect(node.proc.exitCode !== null || node.proc.signalCode !== null).toBe(true);
    await expect(fetch(`${running.url}/readyz`)).rejects.toThrow();
  }, 60_000);
}
