/**
 * Interop: a server node's graceful drain (SIGTERM) as the official engine 5.x clients see it. The drain
 * sends DISCONNECT REDIRECT; engine 5.x reconnects only after reason 6 (RC_CONN_REDIRECTED) — reason 0, which
 * engine 4 reads the same way, leaves it DISCONNECTED with no code (PROTOCOL-E5.md, DISCONNECT reasons). So
 * after the drain the client must not report DISCONNECT, and once a node serves again (here: the restarted
 * server on the same port and data) it reconnects by itself and sends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newUserId, tokenFor } from '../e2e/sdk-api-support';
import { DEFAULT_TEST_APP, startServer } from '../support/server-launcher';
import type { RunningServer } from '../support/server-launcher';
import { killAllE5Clients, launchE5Client } from '../support/official-client-e5/launch-e5-client';
import type { E5Version } from '../support/official-client-e5/launch-e5-client';

const PRIVATE = 1;
let server: RunningServer | undefined;
let dataDir = '';

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'lianxin-e5-drain-'));
});
afterEach(async () => {
  await killAllE5Clients();
  await server?.stop();
  server = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

describe.each<E5Version>(['5.38', '5.7'])('official imlib-next %s and a drained node', (version) => {
  it('is told to reconnect (no DISCONNECT status), reconnects by itself when the node is back, and sends', async () => {
    server = await startServer({ dataDir, apps: [DEFAULT_TEST_APP] });
    const { port } = server;
    const userId = newUserId(`e5drain${version.replace('.', '')}`);
    const peer = newUserId('peer');
    await tokenFor(server, DEFAULT_TEST_APP, peer);
    const client = await launchE5Client({ version, appKey: DEFAULT_TEST_APP.key, navi: server.url, label: `drain-${version}` });
    const connected = await client.connect(await tokenFor(server, DEFAULT_TEST_APP, userId));
    expect(connected.code).toBe(0);
    const firstConnected = client.statuses.findIndex((s) => s.status === 'CONNECTED');

    const exit = await server.stop();
    expect(exit.code).toBe(0);
    server = await startServer({ dataDir, apps: [DEFAULT_TEST_APP], args: ['--port', String(port)] });
    await waitForSecondConnected(client.statuses, 30_000);
    expect(client.statuses.slice(firstConnected + 1).filter((s) => s.status === 'DISCONNECT')).toEqual([]);

    const sent = await client.sendText(PRIVATE, peer, `after the drain ${version}`);
    expect(sent.messageUId).not.toBe('');
  }, 60_000);
});

async function waitForSecondConnected(statuses: readonly { status: string }[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (statuses.filter((s) => s.status === 'CONNECTED').length < 2) {
    if (Date.now() > deadline) throw new Error(`no reconnect within ${timeoutMs} ms; statuses ${JSON.stringify(statuses)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
