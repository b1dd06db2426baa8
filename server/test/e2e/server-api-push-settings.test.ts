/**
 * `user/blockPushPeriod/{set,get,delete}` (SERVER_API.md §2.1) against the real server: quiet hours are validated
 * (startTime HH:MM:SS, period 0–1439 minutes with 0 clearing them, level 0, 1 or 5, default 1), stored per user,
 * answered in the documented shape, and still there after a restart. This server has no push gateway: they are
 * stored and answered only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../../../test/support/server-launcher';
import { uniqueId } from './e2e-support';

let dataDir: string;
let server: RunningServer;
let api: ServerApiClient;

async function ok<T = Record<string, unknown>>(path: string, form: Record<string, string | number | readonly string[]>): Promise<T & { code: number }> {
  const response = await api.post<T & { code: number }>(path, form);
  expect({ path, status: response.status, code: response.body.code }).toEqual({ path, status: 200, code: 200 });
  return response.body;
}

async function start(): Promise<void> {
  server = await startServer({ apps: [DEFAULT_TEST_APP], dataDir });
  api = serverApi(server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'lianxin-push-settings-'));
  await start();
});

afterAll(async () => {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('user/blockPushPeriod', () => {
  it('sets, replaces, answers {code, data:{startTime, period, unPushLevel}} and deletes a user\'s quiet hours', async () => {
    const [u1, u2] = [uniqueId('u1'), uniqueId('u2')];
    expect(await ok('user/blockPushPeriod/get', { userId: u1 })).toEqual({ code: 200, data: { startTime: '', period: 0, unPushLevel: 0 } });
    await ok('user/blockPushPeriod/set', { userId: u1, startTime: '22:00:00', period: 480 });
    expect(await ok('user/blockPushPeriod/get', { userId: u1 })).toEqual({ code: 200, data: { startTime: '22:00:00', period: 480, unPushLevel: 1 } });
    await ok('user/blockPushPeriod/set', { userId: u1, startTime: '23:59:59', period: 1439, level: 5 });
    await ok('user/blockPushPeriod/set', { userId: u2, startTime: '00:00:00', period: 1, level: 0 });
    expect((await ok<{ data: unknown }>('user/blockPushPeriod/get', { userId: u1 })).data).toEqual({ startTime: '23:59:59', period: 1439, unPushLevel: 5 });
    expect((await ok<{ data: unknown }>('user/blockPushPeriod/get', { userId: u2 })).data).toEqual({ startTime: '00:00:00', period: 1, unPushLevel: 0 });

    await ok('user/blockPushPeriod/delete', { userId: u2 });
    expect((await ok<{ data: unknown }>('user/blockPushPeriod/get', { userId: u2 })).data).toEqual({ startTime: '', period: 0, unPushLevel: 0 });
    await ok('user/blockPushPeriod/delete', { userId: u2 });
    // period 0 means "not set".
    await ok('user/blockPushPeriod/set', { userId: u2, startTime: '08:00:00', period: 30 });
    await ok('user/blockPushPeriod/set', { userId: u2, startTime: '08:00:00', period: 0 });
    expect((await ok<{ data: unknown }>('user/blockPushPeriod/get', { userId: u2 })).data).toEqual({ startTime: '', period: 0, unPushLevel: 0 });
  });

  it('keeps the quiet hours across a restart', async () => {
    const u = uniqueId('keep');
    await ok('user/blockPushPeriod/set', { userId: u, startTime: '12:30:00', period: 90, level: 1 });
    await server.stop();
    await start();
    expect((await ok<{ data: unknown }>('user/blockPushPeriod/get', { userId: u })).data).toEqual({ startTime: '12:30:00', period: 90, unPushLevel: 1 });
  });

  it('answers 1002 for bad input and changes nothing', async () => {
    const u = uniqueId('bad');
    await ok('user/blockPushPeriod/set', { userId: u, startTime: '21:00:00', period: 60, level: 1 });
    const bad: Array<Record<string, string | number>> = [
      { startTime: '22:00:00', period: 60 },
      { userId: 'bad id', startTime: '22:00:00', period: 60 },
      { userId: u, period: 60 },
      { userId: u, startTime: '24:00:00', period: 60 },
      { userId: u, startTime: '22:60:00', period: 60 },
      { userId: u, startTime: '9:00:00', period: 60 },
      { userId: u, startTime: '22:00', period: 60 },
      { userId: u, startTime: '22:00:00' },
      { userId: u, startTime: '22:00:00', period: 1440 },
      { userId: u, startTime: '22:00:00', period: -1 },
      { userId: u, startTime: '22:00:00', period: 'an hour' },
      { userId: u, startTime: '22:00:00', period: 60, level: 2 },
      { userId: u, startTime: '22:00:00', period: 60, level: -1 },
    ];
    for (const form of bad) {
      const response = await api.post('user/blockPushPeriod/set', form);
      expect({ form, status: response.status, code: response.body['code'] }).toEqual({ form, status: 400, code: 1002 });
    }
    for (const path of ['user/blockPushPeriod/get', 'user/blockPushPeriod/delete']) expect((await api.post(path, {})).body['code']).toBe(1002);
    expect((await ok<{ data: unknown }>('user/blockPushPeriod/get', { userId: u })).data).toEqual({ startTime: '21:00:00', period: 60, unPushLevel: 1 });
  });
});
