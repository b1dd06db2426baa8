/**
 * `sensitiveword/*` through the Server API (issue #7, SERVER_API.md §2.5): signed form and JSON calls, the
 * parameter rules, the 50-word limit (1019), and RongCloud's own Node server SDK (`rongcloud-sdk@3.1.1`,
 * `Sensitive.add/remove/getList`) used unchanged.
 */
import { createRequire } from 'node:module';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { startServer, type RunningServer, type TestApp } from '../../../test/support/server-launcher';

type Call = (input?: unknown) => Promise<Record<string, unknown>>;
interface Sdk {
  readonly Sensitive: { readonly add: Call; readonly remove: Call; readonly getList: Call };
}

const APP: TestApp = { key: 'lxswapp', secret: 'lxswsecret' };
const SDK_APP: TestApp = { key: 'lxswsdk', secret: 'lxswsdksecret' };
const load = createRequire(__filename);
let server: RunningServer;
let api: ServerApiClient;

beforeAll(async () => {
  server = await startServer({ apps: [APP, SDK_APP] });
  api = serverApi(server.url, APP.key, APP.secret);
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

async function list(type?: number): Promise<unknown> {
  return (await api.post('/sensitiveword/list.json', type === undefined ? {} : { type })).body;
}

describe('sensitiveword/*', () => {
  test('add (block or replace), list by type, update, delete and batch delete', async () => {
    expect((await api.post('/sensitiveword/add.json', { word: 'blockme' })).body).toEqual({ code: 200 });
    expect((await api.post('/sensitiveword/add.json', { word: '坏词', replaceWord: '**', type: 0 })).body).toEqual({ code: 200 });
    expect((await api.post('/sensitiveword/add.json', { word: 'alsoblock', replaceWord: '', type: 0 })).body).toEqual({ code: 200 });
    expect(await list()).toEqual({
      code: 200,
      words: [
        { type: '1', word: 'blockme', replaceWord: '' },
        { type: '0', word: '坏词', replaceWord: '**' },
        { type: '1', word: 'alsoblock', replaceWord: '' },
      ],
    });
    expect(await list(0)).toEqual({ code: 200, words: [{ type: '0', word: '坏词', replaceWord: '**' }] });
    expect((await list(1)) as { words: unknown[] }).toMatchObject({ words: [{ word: 'blockme' }, { word: 'alsoblock' }] });
    // Adding a word again changes it in place.
    await api.post('/sensitiveword/add.json', { word: 'blockme', replaceWord: '##' });
    expect((await list(0)) as { words: unknown[] }).toMatchObject({ words: [{ word: 'blockme', replaceWord: '##' }, { word: '坏词' }] });
    expect((await api.post('/sensitiveword/delete.json', { word: 'blockme' })).body).toEqual({ code: 200 });
    expect((await api.post('/sensitiveword/batch/delete.json', { words: ['坏词', 'alsoblock', 'unknown'] })).body).toEqual({ code: 200 });
    expect(await list()).toEqual({ code: 200, words: [] });
  });

  test('batch/add takes JSON; at most 50 words per app (1019); bad parameters 1002', async () => {
    const words = Array.from({ length: 49 }, (_, i) => ({ word: `w${i}`, ...(i % 2 === 0 ? { replaceWord: '*' } : {}) }));
    expect((await api.postJson('/sensitiveword/batch/add.json', { words })).body).toEqual({ code: 200 });
    expect(((await list()) as { words: unknown[] }).words).toHaveLength(49);
    const over = await api.postJson('/sensitiveword/batch/add.json', { words: [{ word: 'x1' }, { word: 'x2' }] });
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({ code: 1019 });
    expect(((await list()) as { words: unknown[] }).words).toHaveLength(49);
    expect((await api.post('/sensitiveword/add.json', { word: 'x1' })).body).toEqual({ code: 200 });
    expect((await api.post('/sensitiveword/add.json', { word: 'x2' })).body).toMatchObject({ code: 1019 });
    // Updating an existing word at the limit is fine.
    expect((await api.post('/sensitiveword/add.json', { word: 'w1', replaceWord: 'r' })).body).toEqual({ code: 200 });

    expect((await api.post('/sensitiveword/add.json', {})).body).toMatchObject({ code: 1002 });
    expect((await api.post('/sensitiveword/add.json', { word: 'x'.repeat(33) })).body).toMatchObject({ code: 1002 });
    expect((await api.post('/sensitiveword/add.json', { word: 'ok', replaceWord: 'r'.repeat(33) })).body).toMatchObject({ code: 1002 });
    expect((await api.post('/sensitiveword/add.json', { word: 'ok', type: 5 })).body).toMatchObject({ code: 1002 });
    expect((await api.post('/sensitiveword/batch/delete.json', {})).body).toMatchObject({ code: 1002 });
    expect((await api.post('/sensitiveword/list.json', { type: 3 })).body).toMatchObject({ code: 1002 });
    expect((await api.postJson('/sensitiveword/batch/add.json', { words: [{ replaceWord: 'x' }] })).body).toMatchObject({ code: 1002 });
    expect((await api.postJson('/sensitiveword/batch/add.json', {})).body).toMatchObject({ code: 1002 });
    const all = ((await list()) as { words: Array<{ word: string }> }).words.map((w) => w.word);
    expect((await api.post('/sensitiveword/batch/delete.json', { words: all })).body).toEqual({ code: 200 });
  });

  test('RongCloud\'s Node server SDK: Sensitive.add / getList / remove', async () => {
    const init = load('rongcloud-sdk') as (config: { appkey: string; secret: string; api: string }) => Sdk;
    const rc = init({ appkey: SDK_APP.key, secret: SDK_APP.secret, api: server.url });
    expect(await rc.Sensitive.add({ keyword: 'sdkblock', type: 1 })).toMatchObject({ code: 200 });
    expect(await rc.Sensitive.add({ keyword: 'sdkreplace', type: 0, replace: '***' })).toMatchObject({ code: 200 });
    const listed = await rc.Sensitive.getList({});
    expect(listed).toMatchObject({ code: 200, words: [{ type: '1', word: 'sdkblock' }, { type: '0', word: 'sdkreplace', replaceWord: '***' }] });
    expect(await rc.Sensitive.remove({ keywords: ['sdkblock', 'sdkreplace'] })).toMatchObject({ code: 200 });
    expect(await rc.Sensitive.getList({})).toMatchObject({ code: 200, words: [] });
  });
});
