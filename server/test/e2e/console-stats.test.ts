/**
 * The console's message statistics count by object name, which clients choose (any string up to 32
 * characters): the names counted one by one are bounded (MAX_COUNTED_TYPES, the rest under OTHER_TYPES), so
 * a client sending ever new names cannot grow the server's counts — nor every stats answer — without end,
 * and names that are also Object.prototype's own (`__proto__`, `constructor`) are counted like any other.
 */
import { MAX_COUNTED_TYPES, OTHER_TYPES } from '../../src/http/console/console-stats';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { serverApi } from '../../../test/support/server-api-client';
import { startServer, type RunningServer, type TestApp } from '../../../test/support/server-launcher';
import { tokenFor, upstream } from './e2e-support';

jest.setTimeout(60_000);

const APP: TestApp = { key: 'lxstatsapp', secret: 'lxstatssecret', options: { maxSendRate: 100_000 } };
const H = { 'content-type': 'application/json', 'x-lianxin-console': '1' };
/** Distinct object names sent: well past the bound. */
const NAMES = MAX_COUNTED_TYPES * 3;

interface Stats {
  readonly messagesTotal: Record<string, number>;
  readonly messagesPerMinute: ReadonlyArray<{ readonly byType: Record<string, number> }>;
}

let server: RunningServer;
let client: RawClient | undefined;

beforeAll(async () => {
  server = await startServer({ apps: [APP] });
});

afterAll(async () => {
  await client?.close();
  await server.stop();
});

it('counts at most MAX_COUNTED_TYPES object names by name, every message still counted', async () => {
  const password = (await server.stderrMatch(/console admin password: (\S+)/))[1] ?? '';
  const login = await fetch(`${server.url}/console/api/login`, { method: 'POST', headers: H, body: JSON.stringify({ password }) });
  expect(login.status).toBe(200);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const stats = async (): Promise<Stats> => (await (await fetch(`${server.url}/console/api/stats`, { headers: { cookie } })).json()) as Stats;
  // The first stats request starts the counting.
  expect(Object.keys((await stats()).messagesTotal)).toEqual([]);

  client = await connectRaw({ url: server.url, appKey: APP.key, token: await tokenFor(serverApi(server.url, APP.key, APP.secret), 'namer') });
  expect(client.connack.status).toBe(0);
  const names = ['__proto__', 'constructor', ...Array.from({ length: NAMES - 2 }, (_, i) => `LX:T${i}`)];
  for (const name of names) expect((await client.publish('ppMsgP', 'someone', upstream(name, { content: 'x' }))).status).toBe(0);

  const { messagesTotal, messagesPerMinute } = await stats();
  const counted = Object.keys(messagesTotal);
  expect(counted).toHaveLength(MAX_COUNTED_TYPES + 1);
  expect(counted.slice(0, 3)).toEqual(['__proto__', 'constructor', 'LX:T0']);
  expect(messagesTotal[OTHER_TYPES]).toBe(NAMES - MAX_COUNTED_TYPES);
  expect(Object.values(messagesTotal).reduce((a, b) => a + b, 0)).toBe(NAMES);
  for (const minute of messagesPerMinute) expect(Object.keys(minute.byType).length).toBeLessThanOrEqual(MAX_COUNTED_TYPES + 1);
  expect(messagesPerMinute.reduce((sum, m) => sum + Object.values(m.byType).reduce((a, b) => a + b, 0), 0)).toBe(NAMES);
});
