/**
 * `user/blockPushPeriod/{set,get,delete}` and `user/remarks/{set,get,del}` (SERVER_API.md §2.1) against the real
 * server: quiet hours are validated (startTime HH:MM:SS, period 0–1439 minutes with 0 clearing them, level 0, 1 or
 * 5, default 1) and remarks too (a JSON array of ≤ 100 {id, remark}, remark 1–64 characters), stored per user,
 * answered in the documented shapes, and still there after a restart. This server has no push gateway: they are
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

  it('keeps the quiet hours and remarks across a restart', async () => {
    const u = uniqueId('keep');
    await ok('user/blockPushPeriod/set', { userId: u, startTime: '12:30:00', period: 90, level: 1 });
    await ok('user/remarks/set', { userId: u, remarks: JSON.stringify([{ id: 'friend', remark: 'Best friend' }]) });
    await server.stop();
    await start();
    expect((await ok<{ data: unknown }>('user/blockPushPeriod/get', { userId: u })).data).toEqual({ startTime: '12:30:00', period: 90, unPushLevel: 1 });
    expect(await ok('user/remarks/get', { userId: u })).toEqual({ code: 200, total: 1, users: [{ id: 'friend', remark: 'Best friend' }] });
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

describe('user/remarks', () => {
  it('sets (form: JSON text; JSON body: the array), pages {code, total, users:[{id, remark}]} by id and deletes remarks', async () => {
    const [owner, other] = [uniqueId('o'), uniqueId('p')];
    expect(await ok('user/remarks/get', { userId: owner })).toEqual({ code: 200, total: 0, users: [] });
    await ok('user/remarks/set', { userId: owner, remarks: JSON.stringify([{ id: 'u3', remark: 'Three' }, { id: 'u1', remark: 'One' }, { id: 'u1', remark: '壹' }]) });
    const json = await api.postJson('user/remarks/set', { userId: owner, remarks: [{ id: 'u2', remark: 'Two' }, { id: 'u3', remark: 'Trois' }] });
    expect({ status: json.status, code: json.body['code'] }).toEqual({ status: 200, code: 200 });
    await ok('user/remarks/set', { userId: other, remarks: JSON.stringify([{ id: 'u1', remark: 'not the owner\'s' }]) });

    expect(await ok('user/remarks/get', { userId: owner })).toEqual({
      code: 200,
      total: 3,
      users: [{ id: 'u1', remark: '壹' }, { id: 'u2', remark: 'Two' }, { id: 'u3', remark: 'Trois' }],
    });
    expect(await ok('user/remarks/get', { userId: owner, page: 2, size: 2 })).toEqual({ code: 200, total: 3, users: [{ id: 'u3', remark: 'Trois' }] });
    await ok('user/remarks/del', { userId: owner, targetId: 'u2' });
    await ok('user/remarks/del', { userId: owner, targetId: 'nobody' });
    expect(await ok('user/remarks/get', { userId: owner })).toEqual({ code: 200, total: 2, users: [{ id: 'u1', remark: '壹' }, { id: 'u3', remark: 'Trois' }] });
    expect(await ok('user/remarks/get', { userId: other })).toEqual({ code: 200, total: 1, users: [{ id: 'u1', remark: 'not the owner\'s' }] });
  });

  it('takes the entries as server-sdk-go\'s sdk package sends them ({"Id","Remark"}: UserRemark has no JSON tags)', async () => {
    const owner = uniqueId('go');
    await ok('user/remarks/set', { userId: owner, remarks: JSON.stringify([{ Id: 'u01', Remark: 'remark1' }, { ID: 'u02', REMARK: 'remark2' }]) });
    expect(await ok('user/remarks/get', { userId: owner, page: 1, size: 50 })).toEqual({
      code: 200,
      total: 2,
      users: [{ id: 'u01', remark: 'remark1' }, { id: 'u02', remark: 'remark2' }],
    });
    const response = await api.post('user/remarks/set', { userId: owner, remarks: JSON.stringify([{ Id: 'bad id', Remark: 'x' }]) });
    expect({ status: response.status, code: response.body['code'] }).toEqual({ status: 400, code: 1002 });
  });

  it('takes page=0 and size=0 as the defaults (page 1, 50 a page): server-sdk-go\'s sdk package always sends both', async () => {
    const owner = uniqueId('zero');
    const ids = Array.from({ length: 51 }, (_, i) => `u${String(i).padStart(2, '0')}`);
    await ok('user/remarks/set', { userId: owner, remarks: JSON.stringify(ids.map((id) => ({ id, remark: `r${id}` }))) });
    const page = (found: { total: number; users: { id: string }[] }): [number, string[]] => [found.total, found.users.map((u) => u.id)];
    expect(page(await ok('user/remarks/get', { userId: owner, page: 0, size: 0 }))).toEqual([51, ids.slice(0, 50)]);
    expect(page(await ok('user/remarks/get', { userId: owner, page: '0', size: '0' }))).toEqual([51, ids.slice(0, 50)]);
    expect(page(await ok('user/remarks/get', { userId: owner, page: 2, size: 0 }))).toEqual([51, ids.slice(50)]);
    expect(page(await ok('user/remarks/get', { userId: owner, page: 0, size: 2 }))).toEqual([51, ids.slice(0, 2)]);
  });

  it('answers 1002 for bad input, checking the whole call before storing any of it', async () => {
    const owner = uniqueId('bad');
    const remarks = (list: unknown): string => JSON.stringify(list);
    const bad: Array<[string, Record<string, string | number>]> = [
      ['user/remarks/set', { remarks: remarks([{ id: 'u1', remark: 'x' }]) }],
      ['user/remarks/set', { userId: owner }],
      ['user/remarks/set', { userId: owner, remarks: 'not json' }],
      ['user/remarks/set', { userId: owner, remarks: remarks({ id: 'u1', remark: 'x' }) }],
      ['user/remarks/set', { userId: owner, remarks: remarks([]) }],
      ['user/remarks/set', { userId: owner, remarks: remarks([{ id: 'ok', remark: 'fine' }, { id: 'bad id', remark: 'x' }]) }],
      ['user/remarks/set', { userId: owner, remarks: remarks([{ id: 'ok', remark: 'fine' }, { id: 'u2', remark: '' }]) }],
      ['user/remarks/set', { userId: owner, remarks: remarks([{ id: 'ok', remark: 'fine' }, { id: 'u2', remark: 'x'.repeat(65) }]) }],
      ['user/remarks/set', { userId: owner, remarks: remarks([{ id: 'ok', remark: 'fine' }, { id: 'u2' }]) }],
      ['user/remarks/set', { userId: owner, remarks: remarks(Array.from({ length: 101 }, (_, i) => ({ id: `u${i}`, remark: 'r' }))) }],
      ['user/remarks/get', {}],
      ['user/remarks/get', { userId: owner, size: 51 }],
      ['user/remarks/get', { userId: owner, page: -1 }],
      ['user/remarks/get', { userId: owner, size: -1 }],
      ['user/remarks/del', { userId: owner }],
      ['user/remarks/del', { targetId: 'u1' }],
    ];
    for (const [path, form] of bad) {
      const response = await api.post(path, form);
      expect({ path, form, status: response.status, code: response.body['code'] }).toEqual({ path, form, status: 400, code: 1002 });
    }
    // A 64-character remark is fine; nothing of the refused calls was stored.
    await ok('user/remarks/set', { userId: owner, remarks: remarks([{ id: 'long', remark: '名'.repeat(64) }]) });
    expect(await ok('user/remarks/get', { userId: owner })).toEqual({ code: 200, total: 1, users: [{ id: 'long', remark: '名'.repeat(64) }] });
  });
});
