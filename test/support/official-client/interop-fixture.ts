/**
 * Shared set-up for the official-client interop suites: one real server per test file, fresh user ids per
 * test (so tests stay independent on the shared server), tokens through the Server API, and children reaped
 * after every test. Call `useInteropServer()` at the top level of a test file.
 */
import { randomBytes } from 'node:crypto';
import { serverApi } from '../server-api-client';
import { DEFAULT_TEST_APP, startServer } from '../server-launcher';
import type { RunningServer, TestApp } from '../server-launcher';
import { killAllOfficialClients, launchOfficialClient } from './launch-official-client';
import type { LaunchOptions, OfficialClient } from './launch-official-client';
import { ConversationType } from './official-message';
import type { CallResult, OfficialMessage } from './official-message';

export const MULTI_DEVICE_APP: TestApp = { key: 'lxmultiapp', secret: 'lxmultisecret', options: { multiDevice: true } };

export interface OnlineUser {
  readonly client: OfficialClient;
  readonly userId: string;
  readonly token: string;
}

export interface InteropServer {
  /** The running server (valid inside tests). */
  readonly server: RunningServer;
  newUserId(name: string): string;
  tokenFor(userId: string, app?: TestApp): Promise<string>;
  launch(label: string, extra?: Partial<LaunchOptions>, app?: TestApp): Promise<OfficialClient>;
  /** Launches a client and connects it as `userId` (default: a fresh user); throws with the client's logs otherwise. */
  online(name: string, extra?: Partial<LaunchOptions>, app?: TestApp, userId?: string): Promise<OnlineUser>;
  /**
   * `online`, traced, and past its first sync (the engine logged "pullMsg success"): what a test that sends it
   * a status message needs. 2.9.2 drops an s_msg that arrives while that first pullMsg is in flight (seen in a
   * traced failure: the push landed between the pull's QUERYACK and "pullMsg success"); a stored message is
   * pulled again, a status message is never stored — with RongCloud's own server as well.
   */
  onlineSynced(name: string): Promise<OnlineUser>;
  /** localStorage of a page that resolved navi for `token` moments ago (the engine's 2 h navi cache). */
  cachedNaviFor(token: string, app?: TestApp): Promise<Record<string, string>>;
}

export function useInteropServer(apps: readonly TestApp[] = [DEFAULT_TEST_APP, MULTI_DEVICE_APP]): InteropServer {
  // Official clients need seconds per scenario; jest.config's per-project testTimeout is not honoured by
  // Jest (it is a global-only option), so the bound is set here for every test of the file.
  jest.setTimeout(60_000);
  const run = randomBytes(3).toString('hex');
  let counter = 0;
  let running: RunningServer | undefined;

  beforeAll(async () => {
    running = await startServer({ apps });
  }, 60_000);
  afterEach(async () => {
    await killAllOfficialClients();
  });
  afterAll(async () => {
    await killAllOfficialClients();
    await running?.stop();
  });

  const server = (): RunningServer => {
    if (running === undefined) throw new Error('the interop server is not running (use it inside a test)');
    return running;
  };

  const fixture: InteropServer = {
    get server() {
      return server();
    },
    newUserId: (name) => {
      counter += 1;
      return `${name}-${run}-${counter}`;
    },
    tokenFor: async (userId, app = DEFAULT_TEST_APP) => {
      const response = await serverApi(server().url, app.key, app.secret).post<{ code: number; token: string }>(
        '/user/getToken.json',
        { userId, name: userId, portraitUri: 'https://example.com/p.png' },
      );
      if (response.body.code !== 200 || typeof response.body.token !== 'string') {
        throw new Error(`getToken failed for ${userId}: HTTP ${response.status} ${response.text}`);
      }
      return response.body.token;
    },
    launch: (label, extra = {}, app = DEFAULT_TEST_APP) =>
      launchOfficialClient({ appKey: app.key, navi: server().url, label, ...extra }),
    online: async (name, extra = {}, app = DEFAULT_TEST_APP, userId = fixture.newUserId(name)) => {
      const token = await fixture.tokenFor(userId, app);
      const client = await fixture.launch(name, extra, app);
      const result = await client.connect(token);
      if (!result.ok || result.userId !== userId) {
        throw new Error(`${name} could not connect as ${userId}: ${JSON.stringify(result)}\n${client.logs().slice(-4000)}`);
      }
      return { client, userId, token };
    },
    onlineSynced: async (name) => {
      const user = await fixture.online(name, { trace: true });
      await user.client.waitForLog(/pullMsg success/);
      return user;
    },
    cachedNaviFor: async (token, app = DEFAULT_TEST_APP) => {
      const validToken = await fixture.tokenFor(fixture.newUserId('navi-probe'), app);
      const query = `appId=${app.key}&token=${encodeURIComponent(validToken)}&callBack=getServerEndpoint&v=2.9.2&r=${Date.now()}`;
      const response = await fetch(`${server().url}/navi.js?${query}`);
      const body = await response.text();
      const match = /^getServerEndpoint\((.*)\);?$/s.exec(body);
      if (response.status !== 200 || match === null) throw new Error(`navi probe failed: ${response.status} ${body}`);
      // The engine stores the parsed answer plus the scheme it derived from the navi URL.
      const naviInfo = { ...(JSON.parse(match[1] as string) as Record<string, unknown>), protocol: 'http' };
      return { [`navi_${app.key}`]: JSON.stringify([{ timestamp: Date.now(), naviInfo, token }]) };
    },
  };
  return fixture;
}

export function expectOk<T>(result: CallResult<T>, what: string): T {
  if (!result.ok) throw new Error(`${what} failed: ${JSON.stringify(result)}`);
  return result.value;
}

export async function sendTextOk(client: OfficialClient, targetId: string, text: string): Promise<OfficialMessage> {
  return expectOk(await client.sendText(ConversationType.PRIVATE, targetId, text), `sendText(${text})`);
}

/** getHistoryMessages for a PRIVATE conversation: the page (oldest first, as the app sees it) and hasMore. */
export async function privateHistory(
  client: OfficialClient,
  targetId: string,
  timestamp: number,
  count: number,
  order: 0 | 1,
): Promise<{ list: OfficialMessage[]; hasMore: boolean }> {
  const result = await client.call<OfficialMessage[]>(
    'getHistoryMessages',
    ConversationType.PRIVATE,
    targetId,
    timestamp,
    count,
    undefined,
    order,
  );
  const list = expectOk(result, `getHistoryMessages(${targetId}, ${timestamp}, ${count}, order ${order})`);
  return { list, hasMore: result.ok && result.args[1] === true };
}

export function texts(list: readonly OfficialMessage[]): unknown[] {
  return list.map((m) => m.content.content);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
