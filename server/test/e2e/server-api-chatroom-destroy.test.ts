/**
 * Timed chatroom destruction (SERVER_API.md §2.4, audit D1): `chatroom/create_new` and `chatroom/destroy/set`
 * store `destroyType`/`destroyTime`, `chatroom/get` returns them, and a room of type 1 is destroyed through the
 * ordinary destroy path (members get `s_cmd` type 4) once its deadline passes, also when the deadline passed
 * while the server was down. The app's `chrmDestroyMinuteMs=20` makes a `destroyTime` minute last 20 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import type { RawClient } from '../../../test/support/raw-client';
import { serverApi, type Form, type ServerApiClient } from '../../../test/support/server-api-client';
import { startServer, type RunningServer, type TestApp } from '../../../test/support/server-launcher';
import { connectUser, eventually, joinOk, roomCommand, sleep, uniqueId, type ChatroomTestEnv } from './chatroom-support';

const MINUTE_MS = 20;
const APP: TestApp = { key: 'lxapidestroy', secret: 'lxapisecret', options: { chrmMulti: 1, chrmDestroyMinuteMs: MINUTE_MS } };

let dataDir: string;
let server: RunningServer;
let api: ServerApiClient;
let environment: ChatroomTestEnv;
const clients: RawClient[] = [];

async function start(): Promise<void> {
  server = await startServer({ apps: [APP], dataDir });
  api = serverApi(server.url, APP.key, APP.secret);
  environment = { url: server.url, appKey: APP.key, api, clients };
}

beforeAll(async () => {
  dataDir = mkdtempSync(joinPath(tmpdir(), 'lianxin-chrm-destroy-'));
  await start();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function ok<T = Record<string, unknown>>(path: string, form: Form = {}): Promise<T> {
  const res = await api.post<T & { code: number }>(path, form);
  if (res.status !== 200 || res.body.code !== 200) throw new Error(`${path}: HTTP ${res.status} ${res.text}`);
  return res.body;
}

async function fails(path: string, form: Form, code = 1002, status = 400): Promise<void> {
  const res = await api.post<{ code: number; errorMessage: string }>(path, form);
  expect({ path, form, status: res.status, code: res.body.code }).toEqual({ path, form, status, code });
}

async function exists(room: string): Promise<boolean> {
  const res = await api.post<{ code: number }>('chatroom/get', { chatroomId: room });
  if (res.status === 200) return true;
  expect(res.body.code).toBe(1002);
  return false;
}

const settingOf = async (room: string): Promise<unknown> => {
  const get = await ok<{ destroyType: number; destroyTime: number }>('chatroom/get', { chatroomId: room });
  return { destroyType: get.destroyType, destroyTime: get.destroyTime };
};

describe('timed chatroom destruction', () => {
  it('create_new with destroyType 1 stores destroyTime, get returns it, and the room is destroyed at the deadline (members told)', async () => {
    const [timed, idle] = [uniqueId('t'), uniqueId('i')];
    await ok('chatroom/create_new', { chatroomId: timed, destroyType: 1, destroyTime: 60, isBan: 'false' });
    await ok('chatroom/create_new', { chatroomId: idle, destroyType: 0, destroyTime: 90 });
    expect(await settingOf(timed)).toEqual({ destroyType: 1, destroyTime: 60 });
    // Type 0 (destroyed when idle) keeps no time.
    expect(await settingOf(idle)).toEqual({ destroyType: 0, destroyTime: 0 });
    const member = await connectUser(environment, uniqueId('m'));
    await joinOk(member, timed, 'joinChrmR');
    await roomCommand(member, timed, 4, 60 * MINUTE_MS + 10_000);
    await eventually(async () => !(await exists(timed)), 5000, 'timed room gone');
    expect(await exists(idle)).toBe(true);
  });

  it('refuses a bad destroyType or destroyTime with 1002, creating or changing nothing', async () => {
    const room = uniqueId('v');
    for (const form of [
      { chatroomId: room, destroyType: 2 },
      { chatroomId: room, destroyType: 'x' },
      { chatroomId: room, destroyType: 1, destroyTime: 59 },
      { chatroomId: room, destroyType: 1, destroyTime: 10_081 },
      { chatroomId: room, destroyType: 1, destroyTime: 'soon' },
    ]) await fails('chatroom/create_new', form);
    expect(await exists(room)).toBe(false);

    // destroyTime defaults to 60 minutes for type 1.
    const dflt = uniqueId('d');
    await ok('chatroom/create_new', { chatroomId: dflt, destroyType: 1 });
    expect(await settingOf(dflt)).toEqual({ destroyType: 1, destroyTime: 60 });

    await ok('chatroom/create_new', { chatroomId: room });
    for (const form of [
      { chatroomId: room },
      { chatroomId: room, destroyType: '' },
      { chatroomId: room, destroyType: 3 },
      { chatroomId: room, destroyType: 1, destroyTime: 10 },
      { chatroomId: 'nope-missing', destroyType: 1, destroyTime: 60 },
      { destroyType: 1, destroyTime: 60 },
    ]) await fails('chatroom/destroy/set', form);
    expect(await settingOf(room)).toEqual({ destroyType: 0, destroyTime: 0 });
    expect(await exists('nope-missing')).toBe(false);
  });

  it('destroy/set switches a room to timed (deadline from the call) and back to idle (deadline cancelled)', async () => {
    const [made, cancelled] = [uniqueId('s'), uniqueId('c')];
    await ok('chatroom/create', { [`chatroom[${made}]`]: 'S', [`chatroom[${cancelled}]`]: 'C' });
    expect(await settingOf(made)).toEqual({ destroyType: 0, destroyTime: 0 });
    const member = await connectUser(environment, uniqueId('m'));
    await joinOk(member, made, 'joinChrmR');
    await ok('chatroom/destroy/set', { chatroomId: made, destroyType: 1, destroyTime: 60 });
    await ok('chatroom/destroy/set', { chatroomId: cancelled, destroyType: 1, destroyTime: 60 });
    expect(await settingOf(made)).toEqual({ destroyType: 1, destroyTime: 60 });
    await ok('chatroom/destroy/set', { chatroomId: cancelled, destroyType: 0 });
    expect(await settingOf(cancelled)).toEqual({ destroyType: 0, destroyTime: 0 });
    await roomCommand(member, made, 4, 60 * MINUTE_MS + 10_000);
    await eventually(async () => !(await exists(made)), 5000, 'room gone');
    await sleep(500);
    expect(await exists(cancelled)).toBe(true);
  });

  it('keeps the deadline across a restart: an overdue room is destroyed at start, a later one when its time comes', async () => {
    const [overdue, later] = [uniqueId('o'), uniqueId('l')];
    await ok('chatroom/create_new', { chatroomId: overdue, destroyType: 1, destroyTime: 60 });
    const laterCreated = Date.now();
    await ok('chatroom/create_new', { chatroomId: later, destroyType: 1, destroyTime: 400 });
    server.kill9();
    await server.exited;
    await sleep(60 * MINUTE_MS + 300);
    await start();
    await eventually(async () => !(await exists(overdue)), 5000, 'overdue room destroyed after the restart');
    if (Date.now() < laterCreated + 400 * MINUTE_MS - 1000) expect(await settingOf(later)).toEqual({ destroyType: 1, destroyTime: 400 });
    await eventually(async () => !(await exists(later)), 400 * MINUTE_MS + 5000, 'later room destroyed at its deadline');
  }, 60_000);
});
