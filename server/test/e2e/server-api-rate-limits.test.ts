/**
 * Server API rate limits on endpoints an app limits itself (`rate.<path>`, `rate.*`; SERVER_API.md §1.4): like
 * the metered publish endpoints, every endpoint checks its input before the limit is charged (index.ts
 * `ServerApiHandler`). On an empty bucket a malformed request still gets its own error (1002), a good one 429 +
 * 1008; a request that fails after the charge gives its unit back.
 */
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { startServer, type RunningServer } from '../../../test/support/server-launcher';
import { uniqueId } from './e2e-support';

const APP = {
  key: 'lxratecheck',
  secret: 'lxratechecksecret',
  options: { 'rate.user/refresh': '1/h', 'rate.user/info': '1/h', 'rate.conversation/top/set': '1/h' },
};
/** Every endpoint of this app is limited to 1 call an hour (one bucket per endpoint). */
const EVERYTHING_APP = { key: 'lxrateall', secret: 'lxrateallsecret', options: { 'rate.*': '1/h' } };

type Form = Record<string, string | number | readonly string[]>;
let server: RunningServer;
let api: ServerApiClient;
let everything: ServerApiClient;

async function expectAnswer(client: ServerApiClient, path: string, form: Form, status: number, code: number): Promise<void> {
  const response = await client.post(path, form);
  expect({ path, form, status: response.status, code: response.body['code'] }).toEqual({ path, form, status, code });
}

beforeAll(async () => {
  server = await startServer({ apps: [APP, EVERYTHING_APP] });
  api = serverApi(server.url, APP.key, APP.secret);
  everything = serverApi(server.url, EVERYTHING_APP.key, EVERYTHING_APP.secret);
});

afterAll(async () => {
  await server.stop();
});

describe('endpoints limited by an app override', () => {
  it('on an exhausted bucket a malformed request gets its validation error and a good one 429', async () => {
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    await expectAnswer(api, 'user/refresh', { userId: a, name: 'A' }, 200, 200);
    // The bucket (1 an hour) is empty now.
    await expectAnswer(api, 'user/refresh', {}, 400, 1002);
    await expectAnswer(api, 'user/refresh', { userId: 'not a user id' }, 400, 1002);
    await expectAnswer(api, 'user/refresh', { userId: b, name: 'n'.repeat(200) }, 400, 1002);
    await expectAnswer(api, 'user/refresh', { userId: b, name: 'B' }, 429, 1008);

    const top = { userId: a, conversationType: 1, targetId: b, setTop: 'true' };
    await expectAnswer(api, 'conversation/top/set', top, 200, 200);
    const { setTop: _setTop, ...noSetTop } = top;
    await expectAnswer(api, 'conversation/top/set', noSetTop, 400, 1002);
    await expectAnswer(api, 'conversation/top/set', { ...top, conversationType: 11 }, 400, 1002);
    await expectAnswer(api, 'conversation/top/set', top, 429, 1008);
  });

  it('a failed request does not use up the bucket', async () => {
    const a = uniqueId('a');
    // Malformed (refused before the charge) and well-formed but failing (user unknown: refused after the charge,
    // which is given back): the one unit of the hour is still there afterwards.
    await expectAnswer(api, 'user/info', {}, 400, 1002);
    await expectAnswer(api, 'user/info', { userId: a }, 400, 1002);
    await expectAnswer(api, 'user/info', { userId: a }, 400, 1002);
    await expectAnswer(api, 'user/getToken', { userId: a, name: 'A' }, 200, 200);
    await expectAnswer(api, 'user/info', { userId: a }, 200, 200);
    await expectAnswer(api, 'user/info', { userId: a }, 429, 1008);
    await expectAnswer(api, 'user/info', { userId: '' }, 400, 1002);
  });

  it('rate.* limits every endpoint, each after its own checks', async () => {
    const [a, b, g] = [uniqueId('a'), uniqueId('b'), uniqueId('g')];
    await expectAnswer(everything, 'group/join', { userId: a, groupId: g }, 200, 200);
    await expectAnswer(everything, 'group/join', { userId: b }, 400, 1002);
    await expectAnswer(everything, 'group/join', { userId: b, groupId: g }, 429, 1008);
    await expectAnswer(everything, 'chatroom/create', {}, 400, 1002);
    await expectAnswer(everything, 'chatroom/create', { [`chatroom[${g}]`]: 'room' }, 200, 200);
    await expectAnswer(everything, 'chatroom/create', { 'chatroom[bad id]': 'room' }, 400, 1002);
    await expectAnswer(everything, 'chatroom/create', { [`chatroom[${g}x]`]: 'room' }, 429, 1008);
  });
});
