/**
 * Documented Server API endpoints this server does not implement (audit D8) answer "service not enabled"
 * (1009, HTTP 430) with a reason, not 404; authentication still comes first, and the spec's "list only" rows stay 404.
 */
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../../../test/support/server-launcher';

const NOT_ENABLED_JSON = ['v3/message/ultragroup/query'];

let server: RunningServer;
let api: ServerApiClient;

beforeAll(async () => {
  server = await startServer({ apps: [DEFAULT_TEST_APP] });
  api = serverApi(server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
});

afterAll(async () => {
  await server.stop();
});

describe('unimplemented documented endpoints', () => {
  it('answer 1009 (HTTP 430) with a reason, signed or refused first when unsigned; list-only rows stay 404', async () => {
    const seen: Record<string, unknown> = {};
    for (const path of NOT_ENABLED_JSON) {
      const res = await api.postJson(path, { userId: 'u1', targetId: 'u2', startTime: 0, endTime: Date.now(), pageSize: 10, includeStart: true });
      seen[path] = { status: res.status, code: res.body['code'], reason: typeof res.body['errorMessage'] === 'string' && res.body['errorMessage'] !== '' };
    }
    const expected = Object.fromEntries(NOT_ENABLED_JSON.map((path) => [path, { status: 430, code: 1009, reason: true }]));
    expect(seen).toEqual(expected);

    // Chatroom recall (conversationType 4) is implemented (chatroom-recall.test.ts): an unknown room message is a
    // 1002 like any other type's, never the former 1009.
    const recall = { fromUserId: 'u1', targetId: 'room1', messageUID: 'AAAA-BBBB-CCCC-DDDD', sentTime: 0 };
    const room = await api.post('message/recall', { ...recall, conversationType: 4 });
    expect({ status: room.status, code: room.body['code'] }).toEqual({ status: 400, code: 1002 });
    expect((await api.post('message/recall', { ...recall, conversationType: 1 })).body['code']).toBe(1002);

    const unsigned = await api.postJson('v3/message/ultragroup/query', { userId: 'u1' }, { omit: ['Signature'] });
    expect({ status: unsigned.status, code: unsigned.body['code'] }).toEqual({ status: 401, code: 1004 });
    const getMethod = await fetch(`${server.url}/v3/message/ultragroup/query.json`, { headers: api.signedHeaders() });
    expect(getMethod.status).toBe(405);
    for (const listOnly of ['user/deactivate', 'wordfilter/add', 'push/user']) expect((await api.post(listOnly, { userId: 'u1' })).status).toBe(404);
  });
});
