/**
 * Concurrent operations that race each other, each repeated (bounded) to make the race likely, on one server and on a
 * 2-node cluster (PostgreSQL + Redis): group sends against quit / dismiss / gag / ban and directed messages; group
 * state under concurrent join, quit, create and caps; blacklist adds; the per-connection send limit; Server API limits
 * across nodes; sensitive words; user/block and token expiry against live sessions and connects; multiDevice=0 logins;
 * recalls against pulls and each other; chatrooms (destroy, kick, gag, ban, KV caps and ownership, idle destruction,
 * joins); incremental sync and history paging under mixed bursts; two devices of one user clearing, deleting, topping
 * and reading at once. Written as a server QA pass (session 33); its failures are in cluster-chatroom-races.test.ts
 * and chatroom-kv.test.ts with their fixes.
 */
import { decodeByName, encodeByName, type PublishFrame, type PubackFrame } from '../../../src/internal';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { startServer, type RunningServer, type TestApp } from '../../../test/support/server-launcher';
import { clusterAvailable, useCluster } from './cluster/cluster-support';
import { connectUser as connectUserAt } from './e2e-support';

jest.setTimeout(90_000);

const APP: TestApp = { key: 'raceapp', secret: 'racesecret', options: { multiDevice: true, maxSendRate: 100000 } };
const CAP_APP: TestApp = { key: 'racecap', secret: 'racecapsecret', options: { multiDevice: true, maxSendRate: 100000, maxGroupMembers: 5, chrmMaxMembers: 5 } };
const RATE_APP: TestApp = { key: 'racerate', secret: 'raceratesecret', options: { multiDevice: true, maxSendRate: 100 } };
const API_RATE_APP: TestApp = {
  key: 'raceapirate',
  secret: 'raceapiratesecret',
  options: { multiDevice: true, maxSendRate: 100000, 'rate.user/refresh': '10/s', 'rate.message/private/publish': '20/s' },
};

const KV_APP: TestApp = { key: 'racekv', secret: 'racekvsecret', options: { multiDevice: true, maxSendRate: 100000, chrmMaxKeys: 3, chrmKvRate: 10, chrmMulti: 1 } };
const SINGLE_APP: TestApp = { key: 'racesingle', secret: 'racesinglesecret', options: { multiDevice: false, maxSendRate: 100000 } };
const SW_APP: TestApp = { key: 'racesw', secret: 'raceswsecret', options: { multiDevice: true, maxSendRate: 100000 } };
const SW_APP2: TestApp = { key: 'racesw2', secret: 'racesw2secret', options: { multiDevice: true, maxSendRate: 100000 } };
const GRP_RR_APP: TestApp = { key: 'racerr', secret: 'racerrsecret', options: { multiDevice: true, maxSendRate: 100000, groupReceiptV2: true } };
const ROOM_FAST_APP: TestApp = { key: 'raceroomfast', secret: 'raceroomfastsecret', options: { multiDevice: true, maxSendRate: 100000, chrmQuotaHigh: 100000, chrmQuotaShared: 100000 } };
const IDLE_APP: TestApp = { key: 'raceidle', secret: 'raceidlesecret', options: { multiDevice: true, maxSendRate: 100000, chrmIdleDestroyMs: 200, chrmMulti: 1 } };
const SINGLE_ROOM_APP: TestApp = { key: 'raceroom1', secret: 'raceroom1secret', options: { multiDevice: true, maxSendRate: 100000 } };
const ALL_APPS: TestApp[] = [];

let server: RunningServer;
const apis = new Map<string, ServerApiClient>();
const clients: RawClient[] = [];
let seq = 0;
const unique = (name: string): string => `${name}${Date.now().toString(36)}${(seq++).toString(36)}`;
const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const api = (app: TestApp = APP): ServerApiClient => apis.get(app.key)!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  ALL_APPS.push(APP, CAP_APP, RATE_APP, API_RATE_APP, KV_APP, SINGLE_APP, SW_APP, SW_APP2, GRP_RR_APP, SINGLE_ROOM_APP, ROOM_FAST_APP, IDLE_APP);
  server = await startServer({ apps: ALL_APPS });
  for (const app of ALL_APPS) apis.set(app.key, serverApi(server.url, app.key, app.secret));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await server.stop();
});

async function post(path: string, form: Record<string, string | number | readonly string[]>, app: TestApp = APP): Promise<Record<string, unknown>> {
  const response = await api(app).post(path, form);
  expect({ path, body: response.body }).toMatchObject({ body: { code: 200 } });
  return response.body as Record<string, unknown>;
}

async function connect(userId: string, app: TestApp = APP): Promise<RawClient> {
  const res = await api(app).post<{ token: string }>('user/getToken', { userId, name: userId });
  const client = await connectRaw({ url: server.url, appKey: app.key, token: res.body.token });
  expect(client.connack.status).toBe(0);
  clients.push(client);
  return client;
}

function up(objectName: string, content: unknown, flags = 3): Uint8Array {
  return encodeByName('UpStreamMessage', { sessionId: flags, classname: objectName, content: utf8(JSON.stringify(content)), configFlag: 0 });
}

/** Every message of the inbox (pages until finished). */
async function pullAll(client: RawClient) {
  const out: ReturnType<typeof decodeByName<'DownStreamMessages'>>['list'] = [];
  let syncTime = 0;
  let sendBoxSyncTime = 0;
  for (let i = 0; i < 100; i++) {
    const ack = await client.query('pullMsg', client.connack.userId ?? '', encodeByName('SyncRequestMsg', { syncTime, ispolling: false, isPullSend: true, sendBoxSyncTime }));
    expect(ack.status).toBe(0);
    const page = decodeByName('DownStreamMessages', ack.payload);
    out.push(...page.list);
    for (const m of page.list) if (m.direction === 1) sendBoxSyncTime = Math.max(sendBoxSyncTime, Number(m.dataTime));
    const next = Number(page.syncTime);
    if (page.finished !== false || next <= syncTime) break;
    syncTime = next;
  }
  return out;
}

async function members(groupId: string, app: TestApp = APP): Promise<string[]> {
  const body = await post('group/user/query', { groupId }, app);
  return (body['users'] as { id: string }[]).map((u) => u.id).sort();
}

interface SendRecord {
  readonly startedAt: number;
  readonly ack: PubackFrame;
}

/** Sends sequentially until `stop()` says so (or `max` sends). */
async function sendLoop(client: RawClient, topic: string, target: string, stop: () => boolean, max = 60): Promise<SendRecord[]> {
  const out: SendRecord[] = [];
  for (let i = 0; i < max && !stop(); i++) {
    const startedAt = performance.now();
    const ack = await client.publish(topic, target, up('RC:TxtMsg', { content: `m${i}` }));
    out.push({ startedAt, ack });
  }
  return out;
}

describe('group send racing membership changes', () => {
  it('a sender removed by group/quit is refused (22406) for every send issued after the quit answered; accepted sends reach the other member', async () => {
    const [s, c] = [unique('s'), unique('c')];
    const cs = await connect(s);
    const cc = await connect(c);
    const violations: string[] = [];
    const accepted: string[] = [];
    for (let it = 0; it < 25; it++) {
      const g = unique('g');
      await post('group/create', { userId: [s, c], groupId: g, groupName: 'G' });
      let quitAt = Infinity;
      const loop = sendLoop(cs, 'pgMsgP', g, () => performance.now() > quitAt + 30, 80);
      await sleep(Math.random() * 15);
      await post('group/quit', { userId: s, groupId: g });
      quitAt = performance.now();
      const recs = await loop;
      for (const r of recs) {
        if (r.startedAt > quitAt && r.ack.status !== 22406) violations.push(`it${it}: send after quit got status ${r.ack.status}`);
        if (r.ack.status === 0) accepted.push(r.ack.messageUId!);
        else if (r.ack.status !== 22406) violations.push(`it${it}: unexpected status ${r.ack.status}`);
      }
    }
    const atC = new Set((await pullAll(cc)).map((m) => m.msgId));
    const missing = accepted.filter((id) => !atC.has(id));
    expect({ violations, missing: missing.length }).toEqual({ violations: [], missing: 0 });
  });

  it('a recipient removed by group/quit gets no message sent after the quit answered, and every message acknowledged before the quit started', async () => {
    const [s, c] = [unique('s'), unique('c')];
    const cs = await connect(s);
    const cc = await connect(c);
    const before: string[] = [];
    const after: string[] = [];
    for (let it = 0; it < 25; it++) {
      const g = unique('g');
      await post('group/create', { userId: [s, c], groupId: g, groupName: 'G' });
      let quitStart = Infinity;
      let quitAt = Infinity;
      let ackedAt: number[] = [];
      const recs: SendRecord[] = [];
      const loop = (async () => {
        for (let i = 0; i < 30; i++) {
          const startedAt = performance.now();
          const ack = await cs.publish('pgMsgP', g, up('RC:TxtMsg', { content: `m${i}` }));
          recs.push({ startedAt, ack });
          ackedAt.push(performance.now());
          if (performance.now() > quitAt + 30) break;
        }
      })();
      await sleep(Math.random() * 15);
      quitStart = performance.now();
      await post('group/quit', { userId: c, groupId: g });
      quitAt = performance.now();
      await loop;
      recs.forEach((r, i) => {
        expect(r.ack.status).toBe(0);
        if (r.startedAt > quitAt) after.push(r.ack.messageUId!);
        if ((ackedAt[i] as number) < quitStart) before.push(r.ack.messageUId!);
      });
      ackedAt = [];
    }
    const atC = new Set((await pullAll(cc)).map((m) => m.msgId));
    expect({
      phantom: after.filter((id) => atC.has(id)).length,
      lost: before.filter((id) => !atC.has(id)).length,
    }).toEqual({ phantom: 0, lost: 0 });
  });

  it('group/dismiss racing sends: after the dismiss answered sends get 22406; accepted sends reach the member', async () => {
    const [s, c] = [unique('s'), unique('c')];
    const cs = await connect(s);
    const cc = await connect(c);
    const violations: string[] = [];
    const accepted: string[] = [];
    for (let it = 0; it < 25; it++) {
      const g = unique('g');
      await post('group/create', { userId: [s, c], groupId: g, groupName: 'G' });
      let doneAt = Infinity;
      const loop = sendLoop(cs, 'pgMsgP', g, () => performance.now() > doneAt + 30, 80);
      await sleep(Math.random() * 15);
      await post('group/dismiss', { userId: s, groupId: g });
      doneAt = performance.now();
      for (const r of await loop) {
        if (r.startedAt > doneAt && r.ack.status !== 22406) violations.push(`it${it}: after dismiss status ${r.ack.status}`);
        if (r.ack.status === 0) accepted.push(r.ack.messageUId!);
      }
      expect(await members(g)).toEqual([]);
    }
    const atC = new Set((await pullAll(cc)).map((m) => m.msgId));
    expect({ violations, missing: accepted.filter((id) => !atC.has(id)).length }).toEqual({ violations: [], missing: 0 });
  });

  it('group/user/gag/add racing sends: after the gag answered sends get 22408', async () => {
    const [s, c] = [unique('s'), unique('c')];
    const cs = await connect(s);
    await connect(c);
    const violations: string[] = [];
    for (let it = 0; it < 25; it++) {
      const g = unique('g');
      await post('group/create', { userId: [s, c], groupId: g, groupName: 'G' });
      let doneAt = Infinity;
      const loop = sendLoop(cs, 'pgMsgP', g, () => performance.now() > doneAt + 30, 80);
      await sleep(Math.random() * 15);
      await post('group/user/gag/add', { userId: s, groupId: g, minute: 10 });
      doneAt = performance.now();
      for (const r of await loop) {
        if (r.startedAt > doneAt && r.ack.status !== 22408) violations.push(`it${it}: after gag status ${r.ack.status}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('group/ban/add racing sends: after the ban answered member sends get 22408', async () => {
    const [s, c] = [unique('s'), unique('c')];
    const cs = await connect(s);
    await connect(c);
    const violations: string[] = [];
    for (let it = 0; it < 20; it++) {
      const g = unique('g');
      await post('group/create', { userId: [s, c], groupId: g, groupName: 'G' });
      let doneAt = Infinity;
      const loop = sendLoop(cs, 'pgMsgP', g, () => performance.now() > doneAt + 30, 80);
      await sleep(Math.random() * 15);
      await post('group/ban/add', { groupId: g });
      doneAt = performance.now();
      for (const r of await loop) {
        if (r.startedAt > doneAt && r.ack.status !== 22408) violations.push(`it${it}: after ban status ${r.ack.status}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('group/join and group/quit of one user racing leave membership, user/group/query and delivery consistent', async () => {
    const [s, b] = [unique('s'), unique('b')];
    const cs = await connect(s);
    const cb = await connect(b);
    const problems: string[] = [];
    const delivered = new Map<string, boolean>();
    for (let it = 0; it < 40; it++) {
      const g = unique('g');
      await post('group/create', { userId: [s], groupId: g, groupName: 'G' });
      const ops = [() => api().post('group/join', { userId: b, groupId: g }), () => api().post('group/quit', { userId: b, groupId: g })];
      if (it % 2) ops.reverse();
      const res = await Promise.all(ops.map((f) => f()));
      for (const r of res) if (r.body['code'] !== 200) problems.push(`it${it}: ${r.text}`);
      const inGroup = (await members(g)).includes(b);
      const groupsOfB = ((await post('user/group/query', { userId: b }))['groups'] as { id: string }[]).some((x) => x.id === g);
      if (inGroup !== groupsOfB) problems.push(`it${it}: group/user/query ${inGroup} vs user/group/query ${groupsOfB}`);
      const ack = await cs.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'x' }));
      if (ack.status !== 0) problems.push(`it${it}: send ${ack.status}`);
      else delivered.set(ack.messageUId!, inGroup);
      // b sends: allowed iff member
      const own = await cb.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'y' }));
      if ((own.status === 0) !== inGroup) problems.push(`it${it}: member=${inGroup} but b's send status ${own.status}`);
    }
    const atB = new Set((await pullAll(cb)).map((m) => m.msgId));
    for (const [id, member] of delivered) if (atB.has(id) !== member) problems.push(`msg ${id}: member=${member} delivered=${atB.has(id)}`);
    expect(problems).toEqual([]);
  });

  it('group/create twice with the same id concurrently yields the union of members', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 30; it++) {
      const g = unique('g');
      const [a, b] = [unique('a'), unique('b')];
      const res = await Promise.all([
        api().post('group/create', { userId: a, groupId: g, groupName: 'A' }),
        api().post('group/create', { userId: b, groupId: g, groupName: 'B' }),
      ]);
      const codes = res.map((r) => r.body['code']);
      if (codes.some((c) => c !== 200)) problems.push(`it${it}: ${res.map((r) => r.text).join(' ')}`);
      const m = await members(g);
      if (m.join() !== [a, b].sort().join()) problems.push(`it${it}: members ${m.join()}`);
      for (const u of [a, b]) {
        const gs = (await post('user/group/query', { userId: u }))['groups'] as { id: string; name: string }[];
        if (!gs.some((x) => x.id === g)) problems.push(`it${it}: ${u} groups lack ${g}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('concurrent group/join of different users respects maxGroupMembers', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 15; it++) {
      const g = unique('g');
      await post('group/create', { userId: unique('o'), groupId: g, groupName: 'G' }, CAP_APP);
      const users = Array.from({ length: 12 }, () => unique('u'));
      const res = await Promise.all(users.map((u) => api(CAP_APP).post('group/join', { userId: u, groupId: g })));
      const ok = res.filter((r) => r.body['code'] === 200).length;
      const m = await members(g, CAP_APP);
      if (m.length > 5) problems.push(`it${it}: ${m.length} members (cap 5), ${ok} joins answered 200`);
      if (ok + 1 !== m.length) problems.push(`it${it}: ${ok} joins answered 200 but ${m.length} members`);
    }
    expect(problems).toEqual([]);
  });
});

describe('private send racing blacklist/add', () => {
  it('after user/blacklist/add answered, sends from the blacklisted user get 405; accepted ones are delivered', async () => {
    const problems: string[] = [];
    const accepted: string[] = [];
    const b = unique('b');
    const cb = await connect(b);
    for (let it = 0; it < 20; it++) {
      const a = unique('a');
      const ca = await connect(a);
      let doneAt = Infinity;
      const loop = sendLoop(ca, 'ppMsgP', b, () => performance.now() > doneAt + 30, 80);
      await sleep(Math.random() * 15);
      await post('user/blacklist/add', { userId: b, blackUserId: a });
      doneAt = performance.now();
      for (const r of await loop) {
        if (r.startedAt > doneAt && r.ack.status !== 405) problems.push(`it${it}: after blacklist status ${r.ack.status}`);
        if (r.ack.status === 0) accepted.push(r.ack.messageUId!);
      }
      await ca.close();
    }
    const atB = new Set((await pullAll(cb)).map((m) => m.msgId));
    expect({ problems, missing: accepted.filter((id) => !atB.has(id)).length }).toEqual({ problems: [], missing: 0 });
  });
});

describe('rate limits under bursts', () => {
  it('maxSendRate=100 accepts at most 100 of a 150-message burst in one second', async () => {
    const [a, b] = [unique('a'), unique('b')];
    const ca = await connect(a, RATE_APP);
    const results = await Promise.all(Array.from({ length: 150 }, (_, i) => ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: `b${i}` }))));
    const ok = results.filter((r) => r.status === 0).length;
    const limited = results.filter((r) => r.status === 20604).length;
    expect({ ok, limited }).toEqual({ ok: 100, limited: 50 });
  });

  it('maxSendRate=100: a second burst 500 ms after a full burst is refused entirely; after 1.1 s it is admitted again', async () => {
    const [a, b] = [unique('a'), unique('b')];
    const ca = await connect(a, RATE_APP);
    const burst = async (n: number) => (await Promise.all(Array.from({ length: n }, () => ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: 'x' }))))).filter((r) => r.status === 0).length;
    const first = await burst(100);
    const t0 = Date.now();
    await sleep(500 - (Date.now() - t0));
    const second = await burst(100);
    await sleep(1100);
    const third = await burst(100);
    expect({ first, second, third }).toEqual({ first: 100, second: 0, third: 100 });
  });

  it('maxSendRate=100 over 3 s of bursts: no 1 s window (client receive time of the accepts) holds more than 100 accepted sends', async () => {
    const [a, b] = [unique('a'), unique('b')];
    const ca = await connect(a, RATE_APP);
    const sentAt: number[] = [];
    const start = Date.now();
    while (Date.now() - start < 3000) {
      const t = performance.now();
      const batch = await Promise.all(Array.from({ length: 30 }, () => ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: 'x' }))));
      for (const r of batch) if (r.status === 0) sentAt.push(t);
      await sleep(50);
    }
    sentAt.sort((x, y) => x - y);
    let worst = 0;
    // sends issued within 900 ms of each other certainly arrived within one second of each other
    for (let i = 0, j = 0; i < sentAt.length; i++) {
      while ((sentAt[i] as number) - (sentAt[j] as number) >= 900) j++;
      worst = Math.max(worst, i - j + 1);
    }
    expect(worst).toBeLessThanOrEqual(100);
  });

  it('Server API rate.user/refresh=10/s admits at most 10 of 40 concurrent calls', async () => {
    const u = unique('r');
    await api(API_RATE_APP).post('user/getToken', { userId: u, name: u });
    await sleep(1100);
    const res = await Promise.all(Array.from({ length: 40 }, (_, i) => api(API_RATE_APP).post('user/refresh', { userId: u, name: `n${i}` })));
    const ok = res.filter((r) => r.body['code'] === 200).length;
    const limited = res.filter((r) => r.status === 429 && r.body['code'] === 1008).length;
    expect({ ok, limited }).toEqual({ ok: 10, limited: 30 });
  });

});

describe('user/block racing a busy session', () => {
  it('after user/block answered, the session is closed with DISCONNECT 2 and no send of it is accepted', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 10; it++) {
      const [a, b] = [unique('a'), unique('b')];
      const ca = await connect(a);
      const cb = await connect(b);
      let doneAt = Infinity;
      const accepted: { startedAt: number }[] = [];
      let stop = false;
      const sender = (async () => {
        for (let i = 0; i < 200 && !stop && !cb.isClosed; i++) {
          const startedAt = performance.now();
          try {
            const ack = await cb.publish('ppMsgP', a, up('RC:TxtMsg', { content: `m${i}` }), { timeoutMs: 1500 });
            if (ack.status === 0) accepted.push({ startedAt });
          } catch {
            break;
          }
        }
      })();
      const puller = (async () => {
        for (let i = 0; i < 200 && !stop && !cb.isClosed; i++) {
          try {
            await cb.query('pullMsg', b, encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 }), { timeoutMs: 1500 });
          } catch {
            break;
          }
        }
      })();
      const feeder = sendLoop(ca, 'ppMsgP', b, () => stop, 200);
      await sleep(10 + Math.random() * 20);
      await post('user/block', { userId: b, minute: 5 });
      doneAt = performance.now();
      const closed = await Promise.race([cb.closed.then(() => true), sleep(3000).then(() => false)]);
      stop = true;
      await Promise.all([sender, puller, feeder]);
      if (!closed) problems.push(`it${it}: not closed 3 s after block`);
      const disc = cb.frames.filter((f) => f.kind === 'disconnect') as { reason: number }[];
      if (disc.length !== 1 || disc[0]!.reason !== 2) problems.push(`it${it}: disconnect frames ${JSON.stringify(disc)}`);
      const late = accepted.filter((x) => x.startedAt > doneAt).length;
      if (late > 0) problems.push(`it${it}: ${late} sends accepted after block answered`);
      await post('user/unblock', { userId: b });
    }
    expect(problems).toEqual([]);
  });
});

describe('token expiry racing connects', () => {
  it('after user/token/expire answered, an older token is refused and a token issued afterwards is accepted', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 30; it++) {
      const u = unique('t');
      const old = (await api().post<{ token: string }>('user/getToken', { userId: u, name: u })).body.token;
      const [early] = await Promise.all([
        connectRaw({ url: server.url, appKey: APP.key, token: old }),
        sleep(Math.random() * 5).then(() => post('user/token/expire', { userId: u, time: String(Date.now()) })),
      ]);
      clients.push(early);
      const late = await connectRaw({ url: server.url, appKey: APP.key, token: old });
      clients.push(late);
      if (late.connack.status === 0) problems.push(`it${it}: old token accepted after expire`);
      const fresh = (await api().post<{ token: string }>('user/getToken', { userId: u, name: u })).body.token;
      const c = await connectRaw({ url: server.url, appKey: APP.key, token: fresh });
      clients.push(c);
      if (c.connack.status !== 0) problems.push(`it${it}: fresh token refused (${c.connack.status})`);
    }
    expect(problems).toEqual([]);
  });
});

describe('recall racing pulls', () => {
  it('once the recall is acknowledged, the recipient\'s history and pull no longer return the original', async () => {
    const problems: string[] = [];
    const [a, b] = [unique('a'), unique('b')];
    const ca = await connect(a);
    const cb = await connect(b);
    for (let it = 0; it < 30; it++) {
      const ack = await ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: `r${it}` }));
      const sentTime = (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);
      const recallP = ca.publish('recallMsg', a, up('RC:RcCmd', { conversationType: 1, targetId: b, messageUId: ack.messageUId, sentTime }, 0));
      const hist = () => cb.query('qryPMsg', b, encodeByName('HistoryMsgInput', { targetId: a, time: 0, count: 20, order: 0 }));
      await Promise.all([hist(), hist(), recallP]);
      const r = await recallP;
      if (r.status !== 0) {
        problems.push(`it${it}: recall ${r.status}`);
        continue;
      }
      const h = decodeByName('HistoryMsgOuput', (await hist()).payload).list;
      if (h.some((m) => m.msgId === ack.messageUId)) problems.push(`it${it}: history still has original`);
      const also = decodeByName('HistoryMsgOuput', (await ca.query('qryPMsg', a, encodeByName('HistoryMsgInput', { targetId: b, time: 0, count: 20, order: 0 }))).payload).list;
      if (also.some((m) => m.msgId === ack.messageUId)) problems.push(`it${it}: sender history still has original`);
    }
    const pulled = await pullAll(cb);
    // The pull is the delivery log (sync.contract: recalled originals are still delivered); each must be followed by its RC:RcCmd.
    const cmds = pulled.filter((m) => m.classname === 'RC:RcCmd').map((m) => JSON.parse(Buffer.from(m.content).toString('utf8')).messageUId as string);
    const originals = pulled.filter((m) => m.classname === 'RC:TxtMsg');
    const uncovered = originals.filter((m) => !cmds.includes(m.msgId ?? ''));
    if (uncovered.length > 0) problems.push(`pull returns ${uncovered.length} recalled originals without their RC:RcCmd`);
    expect(problems).toEqual([]);
  });

  it('two concurrent recalls of the same message: exactly one succeeds, one RC:RcCmd is stored', async () => {
    const problems: string[] = [];
    const [a, b] = [unique('a'), unique('b')];
    const a1 = await connect(a);
    const a2 = await connect(a);
    const cb = await connect(b);
    let recalls = 0;
    for (let it = 0; it < 30; it++) {
      const ack = await a1.publish('ppMsgP', b, up('RC:TxtMsg', { content: `r${it}` }));
      const sentTime = (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);
      const cmd = up('RC:RcCmd', { conversationType: 1, targetId: b, messageUId: ack.messageUId, sentTime }, 0);
      const res = await Promise.all([a1.publish('recallMsg', a, cmd), a2.publish('recallMsg', a, cmd)]);
      const ok = res.filter((r) => r.status === 0).length;
      if (ok !== 1) problems.push(`it${it}: ${ok} recalls succeeded (${res.map((r) => r.status)})`);
      recalls += 1;
    }
    const cmds = (await pullAll(cb)).filter((m) => m.classname === 'RC:RcCmd').length;
    if (cmds !== recalls) problems.push(`${cmds} RC:RcCmd at b for ${recalls} messages`);
    expect(problems).toEqual([]);
  });
});

describe('chatrooms', () => {
  const joinRoom = (c: RawClient, room: string) => c.query('joinChrm', room, encodeByName('ChrmInput', { nothing: 1 }));
  const quitRoom = (c: RawClient, room: string) => c.query('exitChrm', room, encodeByName('ChrmInput', { nothing: 1 }));

  it('chatroom/destroy racing sends: after destroy answered, sends get 23406 and nobody is a member', async () => {
    const problems: string[] = [];
    const [a, b] = [unique('a'), unique('b')];
    const ca = await connect(a);
    const cb = await connect(b);
    for (let it = 0; it < 20; it++) {
      const room = unique('r');
      await post('chatroom/create', { ['chatroom[' + room + ']']: room });
      for (const c of [ca, cb]) expect((await joinRoom(c, room)).status).toBe(0);
      let doneAt = Infinity;
      const loop = sendLoop(ca, 'chatMsg', room, () => performance.now() > doneAt + 30, 80);
      await sleep(Math.random() * 15);
      await post('chatroom/destroy', { chatroomId: room });
      doneAt = performance.now();
      for (const r of await loop) if (r.startedAt > doneAt && r.ack.status !== 23406 && r.ack.status !== 23410) problems.push(`it${it}: after destroy status ${r.ack.status}`);
      for (const u of [a, b]) {
        const ex = await post('chatroom/user/exist', { chatroomId: room, userId: u });
        if (ex['isInChrm'] !== false) problems.push(`it${it}: ${u} still in room`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('chatroom/destroy racing joins: a member whose join was acknowledged before destroy started is not in the room afterwards', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 20; it++) {
      const room = unique('r');
      await post('chatroom/create', { ['chatroom[' + room + ']']: room });
      const users = Array.from({ length: 4 }, () => unique('j'));
      const cs = await Promise.all(users.map((u) => connect(u)));
      const joinAck: number[] = [];
      let destroyStart = Infinity;
      const joins = Promise.all(cs.map(async (c, i) => {
        await sleep(Math.random() * 10);
        await joinRoom(c, room);
        joinAck[i] = performance.now();
      }));
      await sleep(Math.random() * 10);
      destroyStart = performance.now();
      await post('chatroom/destroy', { chatroomId: room });
      await joins;
      for (let i = 0; i < users.length; i++) {
        if ((joinAck[i] as number) < destroyStart) {
          const ex = await post('chatroom/user/exist', { chatroomId: room, userId: users[i]! });
          if (ex['isInChrm'] !== false) problems.push(`it${it}: ${users[i]} in destroyed room`);
        }
      }
      await Promise.all(cs.map((c) => c.close()));
    }
    expect(problems).toEqual([]);
  });

  it('joinChrm then exitChrm pipelined on one connection: the last one wins (exist, delivery)', async () => {
    const problems: string[] = [];
    const [a, s] = [unique('a'), unique('s')];
    const ca = await connect(a);
    const cs = await connect(s);
    for (let it = 0; it < 30; it++) {
      const room = unique('r');
      expect((await joinRoom(cs, room)).status).toBe(0);
      const joinLast = it % 2 === 1;
      const acks = joinLast ? await Promise.all([quitRoom(ca, room), joinRoom(ca, room)]) : await Promise.all([joinRoom(ca, room), quitRoom(ca, room)]);
      const ex = (await post('chatroom/user/exist', { chatroomId: room, userId: a }))['isInChrm'];
      if (ex !== joinLast) problems.push(`it${it}: joinLast=${joinLast} exist=${ex} acks=${acks.map((x) => x.status)}`);
      const own = await ca.publish('chatMsg', room, up('RC:TxtMsg', { content: 'x' }));
      if ((own.status === 0) !== joinLast) problems.push(`it${it}: joinLast=${joinLast} send ${own.status}`);
      await quitRoom(cs, room);
      await quitRoom(ca, room);
    }
    expect(problems).toEqual([]);
  });

  it('chatroom/user/exist and membership agree when joins and quits of one user race on two devices', async () => {
    const problems: string[] = [];
    const a = unique('a');
    const a1 = await connect(a);
    const a2 = await connect(a);
    for (let it = 0; it < 30; it++) {
      const room = unique('r');
      expect((await joinRoom(a1, room)).status).toBe(0);
      await Promise.all([quitRoom(a1, room), joinRoom(a2, room)]);
      const ex = (await post('chatroom/user/exist', { chatroomId: room, userId: a }))['isInChrm'];
      const users = (await post('chatroom/user/query', { chatroomId: room, count: 100, order: 1 }))['users'] as { id: string }[] | undefined;
      const listed = (users ?? []).some((u) => u.id === a);
      if (ex !== listed) problems.push(`it${it}: exist=${ex} listed=${listed}`);
      const s2 = await a2.publish('chatMsg', room, up('RC:TxtMsg', { content: 'x' }));
      if (s2.status !== 0) problems.push(`it${it}: a2 joined last but send status ${s2.status}, exist=${ex}`);
      await quitRoom(a2, room);
    }
    expect(problems).toEqual([]);
  });

  it('concurrent joins respect chrmMaxMembers', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 8; it++) {
      const room = unique('r');
      const users = Array.from({ length: 10 }, () => unique('u'));
      const cs = await Promise.all(users.map((u) => connect(u, CAP_APP)));
      const acks = await Promise.all(cs.map((c) => joinRoom(c, room)));
      const ok = acks.filter((x) => x.status === 0).length;
      const res = await post('chatroom/user/query', { chatroomId: room, count: 100, order: 1 }, CAP_APP);
      const total = Number(res['total'] ?? (res['users'] as unknown[]).length);
      if (ok > 5 || total > 5) problems.push(`it${it}: ${ok} joins ok, ${total} members (cap 5)`);
      await Promise.all(cs.map((c) => c.close()));
    }
    expect(problems).toEqual([]);
  });
});

describe('batch 2', () => {
  const joinRoom = (c: RawClient, room: string) => c.query('joinChrm', room, encodeByName('ChrmInput', { nothing: 1 }));
  const kv = (c: RawClient, room: string, key: string, value: string, status?: number) =>
    c.query('setKV', room, encodeByName('SetChrmKV', { entry: { key, value, ...(status !== undefined ? { status } : {}) } }));
  const pullKV = async (c: RawClient, room: string) => decodeByName('ChrmKVOutput', (await c.query('pullKV', room, encodeByName('QueryChrmKV', { timestamp: 0 }))).payload).entries;

  it('concurrent setKV of distinct keys respects chrmMaxKeys (3)', async () => {
    const problems: string[] = [];
    const a = unique('a');
    const c1 = await connect(a, KV_APP);
    const c2 = await connect(unique('b'), KV_APP);
    for (let it = 0; it < 10; it++) {
      const room = unique('r');
      expect((await joinRoom(c1, room)).status).toBe(0);
      expect((await joinRoom(c2, room)).status).toBe(0);
      const acks = await Promise.all(Array.from({ length: 8 }, (_, i) => kv(i % 2 ? c1 : c2, room, `k${i}`, 'v')));
      const ok = acks.filter((x) => x.status === 0).length;
      const entries = (await pullKV(c1, room)).filter((e) => ((e.status ?? 0) & 4) === 0);
      if (ok > 3 || entries.length > 3) problems.push(`it${it}: ${ok} sets ok, ${entries.length} keys (cap 3)`);
      await sleep(1000 / 10 * 8 + 50); // let the kv rate window pass
    }
    expect(problems).toEqual([]);
  });

  it('concurrent setKV of one key without overwrite by two users: exactly one wins and the stored value is the winner\'s', async () => {
    const problems: string[] = [];
    const c1 = await connect(unique('a'), KV_APP);
    const c2 = await connect(unique('b'), KV_APP);
    for (let it = 0; it < 15; it++) {
      const room = unique('r');
      await joinRoom(c1, room);
      await joinRoom(c2, room);
      const acks = await Promise.all([kv(c1, room, 'k', 'one'), kv(c2, room, 'k', 'two')]);
      const winners = acks.map((x, i) => (x.status === 0 ? (i === 0 ? 'one' : 'two') : undefined)).filter((x) => x !== undefined);
      const stored = (await pullKV(c1, room)).find((e) => e.key === 'k')?.value;
      if (winners.length !== 1 || stored !== winners[0]) problems.push(`it${it}: statuses ${acks.map((x) => x.status)} stored ${stored}`);
      await sleep(250);
    }
    expect(problems).toEqual([]);
  });

  it('control: multiDevice=0: a second web login after the first kicks the first', async () => {
    const u = unique('m');
    const token = (await api(SINGLE_APP).post<{ token: string }>('user/getToken', { userId: u, name: u })).body.token;
    const c1 = await connectRaw({ url: server.url, appKey: SINGLE_APP.key, token });
    clients.push(c1);
    const c2 = await connectRaw({ url: server.url, appKey: SINGLE_APP.key, token });
    clients.push(c2);
    const d = await c1.nextFrame((f) => f.kind === 'disconnect', 3000);
    expect(d).toMatchObject({ reason: 1 });
    await c2.ping();
    expect(c2.isClosed).toBe(false);
  });

  it('multiDevice=0: two web logins of one user at once leave exactly one session open', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 12; it++) {
      const u = unique('m');
      const token = (await api(SINGLE_APP).post<{ token: string }>('user/getToken', { userId: u, name: u })).body.token;
      const cs = await Promise.all([0, 1, 2].map(() => connectRaw({ url: server.url, appKey: SINGLE_APP.key, token })));
      clients.push(...cs);
      await Promise.all(cs.map((c) => c.ping(1000).catch(() => undefined)));
      await sleep(1300);
      const open = cs.filter((c) => !c.isClosed);
      if (open.length !== 1) problems.push(`it${it}: ${open.length} sessions open (statuses ${cs.map((c) => c.connack.status)})`);
      const online = await api(SINGLE_APP).post('user/checkOnline', { userId: u });
      if (String(online.body['status']) !== '1') problems.push(`it${it}: checkOnline ${online.text}`);
    }
    expect(problems).toEqual([]);
  });

  it('user/block racing fresh connects: once the block answered, no session of the user stays open and no connect succeeds', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 15; it++) {
      const u = unique('bl');
      const token = (await api().post<{ token: string }>('user/getToken', { userId: u, name: u })).body.token;
      const conns = Array.from({ length: 4 }, (_, i) => sleep(i * 3).then(() => connectRaw({ url: server.url, appKey: APP.key, token })));
      await sleep(Math.random() * 10);
      await post('user/block', { userId: u, minute: 5 });
      const doneAt = performance.now();
      const late = connectRaw({ url: server.url, appKey: APP.key, token });
      const cs = await Promise.all([...conns, late]);
      clients.push(...cs);
      if ((cs[4] as RawClient).connack.status !== 9) problems.push(`it${it}: connect after block got ${(cs[4] as RawClient).connack.status}`);
      await sleep(1500);
      const stillOpen = cs.filter((c) => c.connack.status === 0 && !c.isClosed).length;
      if (stillOpen > 0) problems.push(`it${it}: ${stillOpen} sessions still open 1.5 s after block`);
      void doneAt;
      await post('user/unblock', { userId: u });
    }
    expect(problems).toEqual([]);
  });

  it('a member added by group/join while messages flow: gets every message sent after the join answered, none acknowledged before it started', async () => {
    const [s, c] = [unique('s'), unique('c')];
    const cs = await connect(s);
    const cc = await connect(c);
    const before: string[] = [];
    const after: string[] = [];
    for (let it = 0; it < 25; it++) {
      const g = unique('g');
      await post('group/create', { userId: [s], groupId: g, groupName: 'G' });
      let joinStart = Infinity;
      let joinAt = Infinity;
      const recs: { startedAt: number; ackedAt: number; id: string; status: number }[] = [];
      const loop = (async () => {
        for (let i = 0; i < 40; i++) {
          const startedAt = performance.now();
          const ack = await cs.publish('pgMsgP', g, up('RC:TxtMsg', { content: `m${i}` }));
          recs.push({ startedAt, ackedAt: performance.now(), id: ack.messageUId ?? '', status: ack.status ?? -1 });
          if (performance.now() > joinAt + 30) break;
        }
      })();
      await sleep(Math.random() * 15);
      joinStart = performance.now();
      await post('group/join', { userId: c, groupId: g });
      joinAt = performance.now();
      await loop;
      for (const r of recs) {
        if (r.status !== 0) continue;
        if (r.startedAt > joinAt) after.push(r.id);
        if (r.ackedAt < joinStart) before.push(r.id);
      }
    }
    const atC = new Set((await pullAll(cc)).map((m) => m.msgId));
    expect({ lost: after.filter((id) => !atC.has(id)).length, phantom: before.filter((id) => atC.has(id)).length }).toEqual({ lost: 0, phantom: 0 });
  });

  it('sensitiveword/add racing sends: after the add answered, a message with the word is refused (21501) and not delivered', async () => {
    const problems: string[] = [];
    const [a, b] = [unique('a'), unique('b')];
    const ca = await connect(a, SW_APP);
    const cb = await connect(b, SW_APP);
    const leaked: string[] = [];
    for (let it = 0; it < 15; it++) {
      const word = `bad${it}x${Date.now().toString(36)}`;
      let doneAt = Infinity;
      const recs: { startedAt: number; ack: PubackFrame }[] = [];
      const loop = (async () => {
        for (let i = 0; i < 60; i++) {
          const startedAt = performance.now();
          const ack = await ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: `hello ${word} ${i}` }));
          recs.push({ startedAt, ack });
          if (performance.now() > doneAt + 30) break;
        }
      })();
      await sleep(Math.random() * 15);
      await post('sensitiveword/add', { word }, SW_APP);
      doneAt = performance.now();
      await loop;
      for (const r of recs) {
        if (r.startedAt > doneAt && r.ack.status !== 21501) {
          problems.push(`it${it}: after add status ${r.ack.status}`);
          if (r.ack.status === 0) leaked.push(r.ack.messageUId!);
        }
      }
      await post('sensitiveword/delete', { word }, SW_APP);
    }
    const atB = new Set((await pullAll(cb)).map((m) => m.msgId));
    expect({ problems, leakedDelivered: leaked.filter((id) => atB.has(id)).length }).toEqual({ problems: [], leakedDelivered: 0 });
  });

  it('concurrent sensitiveword/add calls never exceed 50 words per app', async () => {
    const words = Array.from({ length: 45 }, (_, i) => ({ word: `pre${i}` }));
    expect((await api(SW_APP2).postJson('/sensitiveword/batch/add.json', { words })).body).toEqual({ code: 200 });
    const res = await Promise.all(Array.from({ length: 20 }, (_, i) => api(SW_APP2).post('sensitiveword/add', { word: `new${i}` })));
    const ok = res.filter((r) => r.body['code'] === 200).length;
    const listed = ((await post('sensitiveword/list', {}, SW_APP2))['words'] as unknown[]).length;
    expect({ ok, listed }).toEqual({ ok: 5, listed: 50 });
  });

  it('delRelation racing an incoming message: a message acknowledged after the delete answered relists the conversation', async () => {
    const problems: string[] = [];
    const [a, b] = [unique('a'), unique('b')];
    const ca = await connect(a);
    const a2 = await connect(a);
    const cb = await connect(b);
    const list = async () => decodeByName('RelationsOutput', (await ca.query('qryRelationR', a, encodeByName('RelationQryInput', { type: 1, count: 100, startTime: 0, order: 0 }))).payload).info;
    for (let it = 0; it < 30; it++) {
      await cb.publish('ppMsgP', a, up('RC:TxtMsg', { content: 'first' }));
      const del = () => (it % 2 ? a2 : ca).query('delRelation', b, encodeByName('RelationQryInput', { type: 1, count: 0, startTime: 0, order: 0 }));
      let delDone = Infinity;
      const sends: { startedAt: number; status: number }[] = [];
      await Promise.all([
        del().then(() => {
          delDone = performance.now();
        }),
        (async () => {
          await sleep(Math.random() * 4);
          const startedAt = performance.now();
          const ack = await cb.publish('ppMsgP', a, up('RC:TxtMsg', { content: 'racing' }));
          sends.push({ startedAt, status: ack.status ?? -1 });
        })(),
      ]);
      const listed = (await list()).some((r) => r.userId === b);
      const sentAfter = sends.some((x) => x.startedAt > delDone);
      if (sentAfter && !listed) problems.push(`it${it}: message sent after delete answered but conversation not listed`);
      // afterwards, a clean message must always relist
      await cb.publish('ppMsgP', a, up('RC:TxtMsg', { content: 'after' }));
      if (!(await list()).some((r) => r.userId === b)) problems.push(`it${it}: not relisted by a later message`);
    }
    expect(problems).toEqual([]);
  });
});

describe('batch 3', () => {
  const joinRoom = (c: RawClient, room: string) => c.query('joinChrm', room, encodeByName('ChrmInput', { nothing: 1 }));

  it('lxReadPos from two devices at once: the read position ends at the newer of the two times (never moves back)', async () => {
    const problems: string[] = [];
    const [r, p] = [unique('r'), unique('p')];
    const r1 = await connect(r);
    const r2 = await connect(r);
    const cp = await connect(p);
    const readPos = async (c: RawClient, items: { type: number; targetId: string; readTime: number }[]) => {
      const ack = await c.query('lxReadPos', r, encodeByName('ReadPositionReq', { since: 0, items }));
      return decodeByName('ReadPositionOutput', ack.payload);
    };
    for (let it = 0; it < 25; it++) {
      const t1 = await cp.publish('ppMsgP', r, up('RC:TxtMsg', { content: 'one' }));
      const t2 = await cp.publish('ppMsgP', r, up('RC:TxtMsg', { content: 'two' }));
      const [old, neu] = [t1, t2].map((a) => (a.date ?? 0) * 1000 + (a.millisecond ?? 0)) as [number, number];
      const ops = [() => readPos(r1, [{ type: 1, targetId: p, readTime: neu }]), () => readPos(r2, [{ type: 1, targetId: p, readTime: old }])];
      if (it % 2) ops.reverse();
      await Promise.all(ops.map((f) => f()));
      const out = await readPos(r1, []);
      const pos = Number(out.items.find((i) => i.targetId === p)?.readTime);
      if (pos !== neu) problems.push(`it${it}: position ${pos} (older ${old}, newer ${neu})`);
    }
    expect(problems).toEqual([]);
  });

  it('chatroom/user/block/add racing sends: after the kick answered the user\'s sends are refused and it is not a member', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 15; it++) {
      const room = unique('r');
      await post('chatroom/create', { ['chatroom[' + room + ']']: room });
      const a = unique('a');
      const ca = await connect(a);
      await joinRoom(ca, room);
      let doneAt = Infinity;
      const loop = sendLoop(ca, 'chatMsg', room, () => performance.now() > doneAt + 30, 80);
      await sleep(Math.random() * 15);
      await post('chatroom/user/block/add', { chatroomId: room, userId: a, minute: 10 });
      doneAt = performance.now();
      for (const r of await loop) if (r.startedAt > doneAt && r.ack.status === 0) problems.push(`it${it}: send accepted after kick`);
      const ex = await post('chatroom/user/exist', { chatroomId: room, userId: a });
      if (ex['isInChrm'] !== false) problems.push(`it${it}: still member`);
      const rejoin = await joinRoom(ca, room);
      if (rejoin.status !== 23409) problems.push(`it${it}: rejoin ${rejoin.status}`);
      await ca.close();
    }
    expect(problems).toEqual([]);
  });

  it('chatroom/user/gag/add racing sends: after the gag answered sends get 23408', async () => {
    const problems: string[] = [];
    const a = unique('a');
    const ca = await connect(a);
    for (let it = 0; it < 15; it++) {
      const room = unique('r');
      await post('chatroom/create', { ['chatroom[' + room + ']']: room });
      await joinRoom(ca, room);
      let doneAt = Infinity;
      const loop = sendLoop(ca, 'chatMsg', room, () => performance.now() > doneAt + 30, 80);
      await sleep(Math.random() * 15);
      await post('chatroom/user/gag/add', { chatroomId: room, userId: a, minute: 10 });
      doneAt = performance.now();
      for (const r of await loop) if (r.startedAt > doneAt && r.ack.status !== 23408) problems.push(`it${it}: after gag ${r.ack.status}`);
    }
    expect(problems).toEqual([]);
  });

  it('Server API message/recall racing the client recall of the same message: exactly one succeeds, one RC:RcCmd', async () => {
    const problems: string[] = [];
    const [a, b] = [unique('a'), unique('b')];
    const ca = await connect(a);
    const cb = await connect(b);
    let n = 0;
    for (let it = 0; it < 25; it++) {
      const ack = await ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: `r${it}` }));
      const sentTime = (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);
      const [client, server_] = await Promise.all([
        ca.publish('recallMsg', a, up('RC:RcCmd', { conversationType: 1, targetId: b, messageUId: ack.messageUId, sentTime }, 0)),
        api().post('message/recall', { fromUserId: a, conversationType: 1, targetId: b, messageUID: ack.messageUId!, sentTime }),
      ]);
      const ok = (client.status === 0 ? 1 : 0) + (server_.body['code'] === 200 ? 1 : 0);
      if (ok !== 1) problems.push(`it${it}: client ${client.status}, api ${server_.text}`);
      n++;
    }
    const cmds = (await pullAll(cb)).filter((m) => m.classname === 'RC:RcCmd').length;
    if (cmds !== n) problems.push(`${cmds} RC:RcCmd for ${n} recalled messages`);
    expect(problems).toEqual([]);
  });

  it('group/dismiss racing group/join: group/user/query, user/group/query and sending agree', async () => {
    const problems: string[] = [];
    const [s, b] = [unique('s'), unique('b')];
    const cb = await connect(b);
    for (let it = 0; it < 30; it++) {
      const g = unique('g');
      await post('group/create', { userId: [s], groupId: g, groupName: 'G' });
      const ops = [() => api().post('group/dismiss', { userId: s, groupId: g }), () => api().post('group/join', { userId: b, groupId: g })];
      if (it % 2) ops.reverse();
      await Promise.all(ops.map((f) => f()));
      const m = await members(g);
      const inList = ((await post('user/group/query', { userId: b }))['groups'] as { id: string }[]).some((x) => x.id === g);
      const send = await cb.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'x' }));
      const member = m.includes(b);
      if (member !== inList || member !== (send.status === 0)) problems.push(`it${it}: members=${m} userGroups=${inList} send=${send.status}`);
    }
    expect(problems).toEqual([]);
  });

  it('gag add and rollback racing: gag/list and send behaviour agree', async () => {
    const problems: string[] = [];
    const [s, c] = [unique('s'), unique('c')];
    const cs = await connect(s);
    for (let it = 0; it < 30; it++) {
      const g = unique('g');
      await post('group/create', { userId: [s, c], groupId: g, groupName: 'G' });
      const ops = [() => api().post('group/user/gag/add', { userId: s, groupId: g, minute: 10 }), () => api().post('group/user/gag/rollback', { userId: s, groupId: g })];
      if (it % 2) ops.reverse();
      await Promise.all(ops.map((f) => f()));
      const listed = ((await post('group/user/gag/list', { groupId: g }))['users'] as { userId: string }[]).some((u) => u.userId === s);
      const send = await cs.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'x' }));
      if (listed !== (send.status === 22408)) problems.push(`it${it}: listed=${listed} send=${send.status}`);
    }
    expect(problems).toEqual([]);
  });

  it('blacklist add and remove racing: blacklist/query and send behaviour agree', async () => {
    const problems: string[] = [];
    const b = unique('b');
    for (let it = 0; it < 30; it++) {
      const a = unique('a');
      const ca = await connect(a);
      await ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: 'warm' }));
      const ops = [() => api().post('user/blacklist/add', { userId: b, blackUserId: a }), () => api().post('user/blacklist/remove', { userId: b, blackUserId: a })];
      if (it % 2) ops.reverse();
      await Promise.all(ops.map((f) => f()));
      const listed = ((await post('user/blacklist/query', { userId: b }))['users'] as string[]).includes(a);
      const send = await ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: 'x' }));
      if (listed !== (send.status === 405)) problems.push(`it${it}: listed=${listed} send=${send.status}`);
      await ca.close();
    }
    expect(problems).toEqual([]);
  });

  it('message/group/publish (Server API) racing group/quit of a recipient: nothing sent after the quit answered reaches it', async () => {
    const [s, c] = [unique('s'), unique('c')];
    const cc = await connect(c);
    const after: string[] = [];
    const before: string[] = [];
    for (let it = 0; it < 15; it++) {
      const g = unique('g');
      await post('group/create', { userId: [s, c], groupId: g, groupName: 'G' });
      let quitStart = Infinity;
      let quitAt = Infinity;
      const loop = (async () => {
        for (let i = 0; i < 40; i++) {
          const startedAt = performance.now();
          const res = await api().post('message/group/publish', { fromUserId: s, toGroupId: g, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: `m${i}` }) });
          const ackedAt = performance.now();
          const uid = ((res.body['messageUIDs'] as { messageUID: string }[] | undefined) ?? [])[0]?.messageUID;
          if (uid !== undefined) {
            if (startedAt > quitAt) after.push(uid);
            if (ackedAt < quitStart) before.push(uid);
          }
          if (performance.now() > quitAt + 30) break;
        }
      })();
      await sleep(Math.random() * 20);
      quitStart = performance.now();
      await post('group/quit', { userId: c, groupId: g });
      quitAt = performance.now();
      await loop;
    }
    const atC = new Set((await pullAll(cc)).map((m) => m.msgId));
    expect({ phantom: after.filter((id) => atC.has(id)).length, lost: before.filter((id) => !atC.has(id)).length, n: before.length > 0 }).toEqual({ phantom: 0, lost: 0, n: true });
  });

  it('chatroom join racing other members\' sends: every message sent after the join answered is pullable by the joiner', async () => {
    const problems: string[] = [];
    const s = unique('s');
    const cs = await connect(s);
    for (let it = 0; it < 15; it++) {
      const room = unique('r');
      await joinRoom(cs, room);
      const j = unique('j');
      const cj = await connect(j);
      let joinedAt = Infinity;
      const sent: { startedAt: number; id: string }[] = [];
      const loop = (async () => {
        for (let i = 0; i < 40; i++) {
          const startedAt = performance.now();
          const ack = await cs.publish('chatMsg', room, up('RC:TxtMsg', { content: `m${i}` }));
          if (ack.status === 0) sent.push({ startedAt, id: ack.messageUId! });
          if (performance.now() > joinedAt + 30) break;
        }
      })();
      await sleep(Math.random() * 10);
      const jack = await joinRoom(cj, room);
      joinedAt = performance.now();
      await loop;
      if (jack.status !== 0) problems.push(`it${it}: join ${jack.status}`);
      const got = new Set<string>();
      let cursor = 0;
      for (let k = 0; k < 20; k++) {
        const ack = await cj.query('chrmPull', room, encodeByName('ChrmPullMsg', { syncTime: cursor, count: 50 }));
        const out = decodeByName('DownStreamMessages', ack.payload);
        out.list.forEach((m) => got.add(m.msgId ?? ''));
        if (Number(out.syncTime) <= cursor || out.list.length === 0) break;
        cursor = Number(out.syncTime);
      }
      const missing = sent.filter((x) => x.startedAt > joinedAt && !got.has(x.id)).length;
      if (missing > 0) problems.push(`it${it}: ${missing} messages sent after join missing at joiner`);
      await cj.close();
    }
    expect(problems).toEqual([]);
  });
});

describe('batch 4', () => {
  const joinRoom = (c: RawClient, room: string) => c.query('joinChrm', room, encodeByName('ChrmInput', { nothing: 1 }));

  it('concurrent bursts from 5 senders to one user: the recipient\'s paged pull returns every message exactly once', async () => {
    const r = unique('r');
    const cr = await connect(r);
    const senders = await Promise.all(Array.from({ length: 5 }, () => connect(unique('s'))));
    const acks = (await Promise.all(senders.map((c) => Promise.all(Array.from({ length: 100 }, (_, i) => c.publish('ppMsgP', r, up('RC:TxtMsg', { content: `m${i}` }))))))).flat();
    const ids = acks.filter((a) => a.status === 0).map((a) => a.messageUId!);
    expect(ids).toHaveLength(500);
    const pulled = (await pullAll(cr)).map((m) => m.msgId);
    const got = new Set(pulled);
    expect({ missing: ids.filter((id) => !got.has(id)).length, duplicates: pulled.length - got.size }).toEqual({ missing: 0, duplicates: 0 });
  });

  it('concurrent bursts into one private conversation: history paging (count 20, by time) returns every message exactly once', async () => {
    const [a, b] = [unique('a'), unique('b')];
    const ca = await connect(a);
    const ca2 = await connect(a);
    const cb = await connect(b);
    const acks = (await Promise.all([ca, ca2, cb].map((c, k) => Promise.all(Array.from({ length: 80 }, (_, i) => c.publish('ppMsgP', k === 2 ? a : b, up('RC:TxtMsg', { content: `m${k}-${i}` }))))))).flat();
    const ids = acks.map((x) => x.messageUId!);
    const seen: string[] = [];
    let time = 0;
    for (let page = 0; page < 40; page++) {
      const ack = await cb.query('qryPMsg', b, encodeByName('HistoryMsgInput', { targetId: a, time, count: 20, order: 0 }));
      const out = decodeByName('HistoryMsgOuput', ack.payload);
      seen.push(...out.list.map((m) => m.msgId ?? ''));
      if (out.list.length === 0 || !out.hasMsg) break;
      time = Number(out.syncTime);
    }
    const set = new Set(seen);
    expect({ total: ids.length, missing: ids.filter((id) => !set.has(id)).length, duplicates: seen.length - set.size }).toEqual({ total: 240, missing: 0, duplicates: 0 });
  });

  it('concurrent bursts into one group: group history paging returns every message exactly once', async () => {
    const users = Array.from({ length: 4 }, () => unique('u'));
    const g = unique('g');
    await post('group/create', { userId: users, groupId: g, groupName: 'G' });
    const cs = await Promise.all(users.map((u) => connect(u)));
    const acks = (await Promise.all(cs.map((c) => Promise.all(Array.from({ length: 60 }, (_, i) => c.publish('pgMsgP', g, up('RC:TxtMsg', { content: `m${i}` }))))))).flat();
    const ids = acks.map((x) => x.messageUId!);
    const seen: string[] = [];
    let time = 0;
    for (let page = 0; page < 40; page++) {
      const ack = await cs[0]!.query('qryGMsg', users[0]!, encodeByName('HistoryMsgInput', { targetId: g, time, count: 20, order: 0 }));
      const out = decodeByName('HistoryMsgOuput', ack.payload);
      seen.push(...out.list.map((m) => m.msgId ?? ''));
      if (out.list.length === 0 || !out.hasMsg) break;
      time = Number(out.syncTime);
    }
    const set = new Set(seen);
    const pulled = (await pullAll(cs[1]!)).map((m) => m.msgId);
    const pset = new Set(pulled);
    expect({
      missing: ids.filter((id) => !set.has(id)).length,
      duplicates: seen.length - set.size,
      pullMissing: ids.filter((id) => !pset.has(id)).length,
      pullDup: pulled.length - pset.size,
    }).toEqual({ missing: 0, duplicates: 0, pullMissing: 0, pullDup: 0 });
  });

  it('concurrent chatroom bursts: chrmPull paging returns every message exactly once', async () => {
    const room = unique('r');
    const cs = await Promise.all(Array.from({ length: 4 }, () => connect(unique('u'), ROOM_FAST_APP)));
    for (const c of cs) expect((await joinRoom(c, room)).status).toBe(0);
    const listener = await connect(unique('l'), ROOM_FAST_APP);
    await joinRoom(listener, room);
    const acks = (await Promise.all(cs.map((c) => Promise.all(Array.from({ length: 40 }, (_, i) => c.publish('chatMsg', room, up('RC:TxtMsg', { content: `m${i}` }))))))).flat();
    const ids = acks.filter((x) => x.status === 0).map((x) => x.messageUId!);
    const seen: string[] = [];
    let cursor = 0;
    for (let k = 0; k < 60; k++) {
      const ack = await listener.query('chrmPull', room, encodeByName('ChrmPullMsg', { syncTime: cursor, count: 10 }));
      const out = decodeByName('DownStreamMessages', ack.payload);
      seen.push(...out.list.map((m) => m.msgId ?? ''));
      const next = Number(out.syncTime);
      const finished = Object.prototype.hasOwnProperty.call(out, 'finished') ? out.finished : undefined;
      cursor = Math.max(cursor, next);
      if (finished !== false) break;
    }
    const set = new Set(seen);
    expect({ sent: ids.length > 0, missing: ids.filter((id) => !set.has(id)).length, duplicates: seen.length - set.size }).toEqual({ sent: true, missing: 0, duplicates: 0 });
  });

  it('group read receipts v2: 10 members reading one message at once are all recorded', async () => {
    const OPEN = { key: 'raceapp', secret: 'racesecret' };
    void OPEN;
    const users = Array.from({ length: 11 }, () => unique('u'));
    const g = unique('g');
    await post('group/create', { userId: users, groupId: g, groupName: 'G' }, GRP_RR_APP);
    const cs = await Promise.all(users.map((u) => connect(u, GRP_RR_APP)));
    const ack = await cs[0]!.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'read me' }));
    const uid = ack.messageUId!;
    await Promise.all(cs.slice(1).flatMap((c) => [c.query('rrMsg', g, encodeByName('GrpReadReceiptMsg', { msgId: [uid] })), c.query('rrMsg', g, encodeByName('GrpReadReceiptMsg', { msgId: [uid] }))]));
    const out = decodeByName('GrpReadReceiptQryResp', (await cs[0]!.query('rrList', g, encodeByName('GrpReadReceiptQryReq', { msgId: [uid] }))).payload);
    expect(out.list.map((x) => x.userId).sort()).toEqual(users.slice(1).sort());
  });

  it('one room per user (chrmMulti=0): joining two rooms at once from two devices leaves the user in exactly one', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 20; it++) {
      const u = unique('u');
      const c1 = await connect(u, SINGLE_ROOM_APP);
      const c2 = await connect(u, SINGLE_ROOM_APP);
      const [r1, r2] = [unique('r'), unique('r')];
      await Promise.all([joinRoom(c1, r1), joinRoom(c2, r2)]);
      const ex = await Promise.all([r1, r2].map(async (room) => (await post('chatroom/user/exist', { chatroomId: room, userId: u }, SINGLE_ROOM_APP))['isInChrm']));
      if (ex.filter((x) => x === true).length !== 1) problems.push(`it${it}: exist ${ex}`);
      await c1.close();
      await c2.close();
    }
    expect(problems).toEqual([]);
  });
});

describe('batch 5', () => {
  const joinRoom = (c: RawClient, room: string) => c.query('joinChrm', room, encodeByName('ChrmInput', { nothing: 1 }));
  const quitRoom = (c: RawClient, room: string) => c.query('exitChrm', room, encodeByName('ChrmInput', { nothing: 1 }));
  const kv = (c: RawClient, room: string, key: string, value: string, status?: number) =>
    c.query('setKV', room, encodeByName('SetChrmKV', { entry: { key, value, ...(status !== undefined ? { status } : {}) } }));

  it('setKV racing chatroom/destroy: a room created again after the destroy answered has no KV of the old one', async () => {
    const problems: string[] = [];
    const a = unique('a');
    const ca = await connect(a, ROOM_FAST_APP);
    for (let it = 0; it < 20; it++) {
      const room = unique('r');
      await post('chatroom/create', { ['chatroom[' + room + ']']: room }, ROOM_FAST_APP);
      expect((await joinRoom(ca, room)).status).toBe(0);
      const sets = Promise.all(Array.from({ length: 5 }, async (_, i) => {
        await sleep(i * 2);
        return kv(ca, room, `k${i}`, 'v', 1);
      }));
      await sleep(Math.random() * 8);
      await post('chatroom/destroy', { chatroomId: room }, ROOM_FAST_APP);
      await sets;
      await post('chatroom/create', { ['chatroom[' + room + ']']: room }, ROOM_FAST_APP);
      const j = await joinRoom(ca, room);
      if (j.status !== 0) {
        problems.push(`it${it}: rejoin ${j.status}`);
        continue;
      }
      const ack = await ca.query('pullKV', room, encodeByName('QueryChrmKV', { timestamp: 0 }));
      const entries = ack.status === 0 ? decodeByName('ChrmKVOutput', ack.payload).entries.filter((e) => ((e.status ?? 0) & 4) === 0) : [];
      if (entries.length > 0) problems.push(`it${it}: new room has ${entries.length} old keys`);
      await quitRoom(ca, room);
    }
    expect(problems).toEqual([]);
  });

  it('concurrent joins and quits of many users (two devices each): chatroom/user/query total equals the members listed and exist', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 6; it++) {
      const room = unique('r');
      await post('chatroom/create', { ['chatroom[' + room + ']']: room }, ROOM_FAST_APP);
      const users = Array.from({ length: 8 }, () => unique('u'));
      const devs = await Promise.all(users.flatMap((u) => [connect(u, ROOM_FAST_APP), connect(u, ROOM_FAST_APP)]));
      await Promise.all(devs.map((c) => joinRoom(c, room)));
      // odd users quit from one device while the other device joins again
      await Promise.all(devs.map((c, i) => (Math.floor(i / 2) % 2 === 1 ? (i % 2 ? quitRoom(c, room) : joinRoom(c, room)) : joinRoom(c, room))));
      const res = await post('chatroom/user/query', { chatroomId: room, count: 500, order: 1 }, ROOM_FAST_APP);
      const listed = (res['users'] as { id: string }[]).map((u) => u.id);
      const total = Number(res['total']);
      const exist = await Promise.all(users.map(async (u) => (await post('chatroom/user/exist', { chatroomId: room, userId: u }, ROOM_FAST_APP))['isInChrm'] === true));
      const existCount = exist.filter(Boolean).length;
      if (total !== listed.length || total !== existCount || new Set(listed).size !== listed.length) problems.push(`it${it}: total ${total}, listed ${listed.length}, exist ${existCount}`);
      await Promise.all(devs.map((c) => c.close()));
    }
    expect(problems).toEqual([]);
  });

  it('cleanPMsg up to the last message racing incoming messages: messages acknowledged after the clean answered stay in history', async () => {
    const problems: string[] = [];
    const [a, b] = [unique('a'), unique('b')];
    const ca = await connect(a);
    const cb = await connect(b);
    for (let it = 0; it < 20; it++) {
      const last = await ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: 'before' }));
      const t = (last.date ?? 0) * 1000 + (last.millisecond ?? 0);
      let cleanedAt = Infinity;
      const recs: { startedAt: number; id: string }[] = [];
      const loop = (async () => {
        for (let i = 0; i < 30; i++) {
          const startedAt = performance.now();
          const ack = await ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: `m${i}` }));
          recs.push({ startedAt, id: ack.messageUId! });
          if (performance.now() > cleanedAt + 20) break;
        }
      })();
      await cb.query('cleanPMsg', b, encodeByName('CleanHisMsgInput', { targetId: a, dataTime: t }));
      cleanedAt = performance.now();
      await loop;
      const h = new Set<string>();
      let time = 0;
      for (let p = 0; p < 10; p++) {
        const out = decodeByName('HistoryMsgOuput', (await cb.query('qryPMsg', b, encodeByName('HistoryMsgInput', { targetId: a, time, count: 100, order: 0 }))).payload);
        out.list.forEach((m) => h.add(m.msgId ?? ''));
        if (!out.hasMsg || out.list.length === 0) break;
        time = Number(out.syncTime);
      }
      if (h.has(last.messageUId!)) problems.push(`it${it}: cleaned message still in history`);
      const lost = recs.filter((r) => !h.has(r.id)).length;
      if (lost > 0) problems.push(`it${it}: ${lost} messages sent during/after the clean are gone from history`);
    }
    expect(problems).toEqual([]);
  });

  it('sentTimes of one conversation are unique under concurrent bursts from two devices', async () => {
    const [a, b] = [unique('a'), unique('b')];
    const a1 = await connect(a);
    const a2 = await connect(a);
    const cb = await connect(b);
    const acks = (await Promise.all([a1, a2, cb].map((c, k) => Promise.all(Array.from({ length: 100 }, () => c.publish('ppMsgP', k === 2 ? a : b, up('RC:TxtMsg', { content: 'x' }))))))).flat();
    const times = acks.map((x) => (x.date ?? 0) * 1000 + (x.millisecond ?? 0));
    expect(new Set(times).size).toBe(times.length);
  });
});

describe('batch 6: incremental sync under concurrent mixed sends', () => {
  async function incrementalReceiver(c: RawClient, stop: () => boolean) {
    const got = new Map<string, number>();
    let syncTime = 0;
    let sendBoxSyncTime = 0;
    const once = async () => {
      const ack = await c.query('pullMsg', c.connack.userId ?? '', encodeByName('SyncRequestMsg', { syncTime, ispolling: false, isPullSend: true, sendBoxSyncTime }));
      const page = decodeByName('DownStreamMessages', ack.payload);
      for (const m of page.list) {
        got.set(m.msgId ?? '', (got.get(m.msgId ?? '') ?? 0) + 1);
        if (m.direction === 1) sendBoxSyncTime = Math.max(sendBoxSyncTime, Number(m.dataTime));
      }
      syncTime = Math.max(syncTime, Number(page.syncTime));
      return page;
    };
    while (!stop()) await once();
    for (let i = 0; i < 20; i++) {
      const page = await once();
      if (page.list.length === 0 && page.finished !== false) break;
    }
    return got;
  }

  it('a client pulling with its cursor while private, group and Server API messages race in never skips one', async () => {
    const r = unique('r');
    const cr = await connect(r);
    const g = unique('g');
    const senders = Array.from({ length: 4 }, () => unique('s'));
    await post('group/create', { userId: [r, ...senders], groupId: g, groupName: 'G' });
    const cs = await Promise.all(senders.map((u) => connect(u)));
    let done = false;
    const receiver = incrementalReceiver(cr, () => done);
    const acked: string[] = [];
    const failures: string[] = [];
    await Promise.all([
      ...cs.map(async (c, k) => {
        for (let i = 0; i < 60; i++) {
          const ack = await (k % 2 ? c.publish('pgMsgP', g, up('RC:TxtMsg', { content: `g${i}` })) : c.publish('ppMsgP', r, up('RC:TxtMsg', { content: `p${i}` })));
          if (ack.status === 0) acked.push(ack.messageUId!);
          else failures.push(`client ${k} ${ack.status}`);
        }
      }),
      (async () => {
        for (let i = 0; i < 40; i++) {
          const res = await api().post('message/private/publish', { fromUserId: senders[0]!, toUserId: r, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: `api${i}` }) });
          const uid = ((res.body['messageUIDs'] as { messageUID: string }[] | undefined) ?? [])[0]?.messageUID;
          if (uid) acked.push(uid);
          else failures.push(`private api ${res.status} ${res.text.slice(0, 80)}`);
        }
      })(),
      (async () => {
        for (let i = 0; i < 40; i++) {
          const res = await api().post('message/group/publish', { fromUserId: senders[1]!, toGroupId: g, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: `apig${i}` }) });
          const uids = (res.body['messageUIDs'] as { messageUID: string }[] | undefined) ?? [];
          if (uids.length !== 1) failures.push(`group api ${res.status} ${res.text.slice(0, 80)}`);
          const uid = uids[0]?.messageUID;
          if (uid) acked.push(uid);
        }
      })(),
      (async () => {
        // r's own sends from another device (sendbox)
        const r2 = await connect(r);
        for (let i = 0; i < 40; i++) {
          const ack = await r2.publish('ppMsgP', senders[2]!, up('RC:TxtMsg', { content: `own${i}` }));
          if (ack.status === 0) acked.push(ack.messageUId!);
          else failures.push(`own ${ack.status}`);
        }
      })(),
    ]);
    done = true;
    const got = await receiver;
    const missing = acked.filter((id) => !got.has(id));
    const dups = [...got.values()].filter((n) => n > 1).length;
    void failures;
    expect({ ackedEnough: acked.length >= 300, missing: missing.length, dups }).toEqual({ ackedEnough: true, missing: 0, dups: 0 });
  });
});

describe('batch 7', () => {
  const upDirected = (objectName: string, content: unknown, users: string[], flags = 3) =>
    encodeByName('UpStreamMessage', { sessionId: flags, classname: objectName, content: utf8(JSON.stringify(content)), configFlag: 0, userId: users });

  it('a directed group message naming a non-member (or a member being removed) never reaches a non-member', async () => {
    const problems: string[] = [];
    const [s, c, o] = [unique('s'), unique('c'), unique('o')];
    const cs = await connect(s);
    const cc = await connect(c);
    const co = await connect(o);
    const sent: { id: string; startedAt: number; quitAt: () => number }[] = [];
    for (let it = 0; it < 15; it++) {
      const g = unique('g');
      await post('group/create', { userId: [s, c], groupId: g, groupName: 'G' });
      const d = await cs.publish('pgMsgP', g, upDirected('RC:TxtMsg', { content: 'for outsider' }, [o, c]));
      if (d.status === 0) sent.push({ id: d.messageUId!, startedAt: 0, quitAt: () => Infinity });
      let quitAt = Infinity;
      const loop = (async () => {
        for (let i = 0; i < 30; i++) {
          const startedAt = performance.now();
          const ack = await cs.publish('pgMsgP', g, upDirected('RC:TxtMsg', { content: `d${i}` }, [c]));
          if (ack.status === 0) sent.push({ id: ack.messageUId!, startedAt, quitAt: () => quitAt });
          if (performance.now() > quitAt + 30) break;
        }
      })();
      await sleep(Math.random() * 10);
      await post('group/quit', { userId: c, groupId: g });
      quitAt = performance.now();
      await loop;
    }
    const atO = new Set((await pullAll(co)).map((m) => m.msgId));
    const atC = new Set((await pullAll(cc)).map((m) => m.msgId));
    const toOutsider = sent.filter((x) => atO.has(x.id)).length;
    const afterQuit = sent.filter((x) => x.startedAt > x.quitAt() && atC.has(x.id)).length;
    if (toOutsider) problems.push(`${toOutsider} directed messages reached the outsider`);
    if (afterQuit) problems.push(`${afterQuit} directed messages sent after the quit reached the removed member`);
    expect(problems).toEqual([]);
  });

  it('a directed group message to a former member (removed by group/quit before the send) does not reach it', async () => {
    const [s, c, o] = [unique('s'), unique('c'), unique('o')];
    const cs = await connect(s);
    const cc = await connect(c);
    await connect(o);
    const g = unique('g');
    await post('group/create', { userId: [s, c, o], groupId: g, groupName: 'G' });
    await post('group/quit', { userId: c, groupId: g });
    expect(await members(g)).toEqual([o, s].sort());
    await sleep(200);
    const ack = await cs.publish('pgMsgP', g, upDirected('RC:TxtMsg', { content: 'to former member' }, [c]));
    const plain = await cs.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'to all' }));
    const atC = (await pullAll(cc)).map((m) => m.msgId);
    expect({ status: ack.status, directedAtC: atC.includes(ack.messageUId!), plainAtC: atC.includes(plain.messageUId!) }).toEqual({ status: ack.status, directedAtC: false, plainAtC: false });
  });

  it('status messages (pgMsgS / ppMsgS) respect group membership and the blacklist', async () => {
    const [s, c, b] = [unique('s'), unique('c'), unique('b')];
    const cs = await connect(s);
    const cc = await connect(c);
    const cb = await connect(b);
    const g = unique('g');
    await post('group/create', { userId: [s, c], groupId: g, groupName: 'G' });
    await post('group/quit', { userId: s, groupId: g });
    const gs = await cs.publish('pgMsgS', g, up('RC:TypSts', { typingContentType: 'RC:TxtMsg' }, 0));
    await post('user/blacklist/add', { userId: b, blackUserId: s });
    const ps = await cs.publish('ppMsgS', b, up('RC:TypSts', { typingContentType: 'RC:TxtMsg' }, 0));
    await sleep(300);
    const cGot = cc.frames.some((f) => f.kind === 'publish' && (f as PublishFrame).topic === 's_msg');
    const bGot = cb.frames.some((f) => f.kind === 'publish' && (f as PublishFrame).topic === 's_msg');
    expect({ groupStatus: gs.status, cGot, privateStatus: ps.status, bGot }).toEqual({ groupStatus: 22406, cGot: false, privateStatus: 405, bGot: false });
  });

  it('user/block and user/unblock racing: block/query and connect outcome agree', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 20; it++) {
      const u = unique('u');
      const token = (await api().post<{ token: string }>('user/getToken', { userId: u, name: u })).body.token;
      const ops = [() => api().post('user/block', { userId: u, minute: 5 }), () => api().post('user/unblock', { userId: u })];
      if (it % 2) ops.reverse();
      await Promise.all(ops.map((f) => f()));
      const listed = ((await post('user/block/query', { page: 1, size: 1000 }))['users'] as { userId: string }[]).some((x) => x.userId === u);
      const c = await connectRaw({ url: server.url, appKey: APP.key, token });
      clients.push(c);
      if (listed !== (c.connack.status === 9)) problems.push(`it${it}: listed=${listed} connack=${c.connack.status}`);
      await post('user/unblock', { userId: u });
    }
    expect(problems).toEqual([]);
  });

  it('group/user/gag/add for all groups (empty groupId) racing sends in two groups: refused in both once answered', async () => {
    const problems: string[] = [];
    const [s, c] = [unique('s'), unique('c')];
    const cs = await connect(s);
    for (let it = 0; it < 10; it++) {
      const gs = [unique('g'), unique('g')];
      for (const g of gs) await post('group/create', { userId: [s, c], groupId: g, groupName: 'G' });
      let doneAt = Infinity;
      const loops = gs.map((g) => sendLoop(cs, 'pgMsgP', g, () => performance.now() > doneAt + 30, 60));
      await sleep(Math.random() * 10);
      await post('group/user/gag/add', { userId: s, minute: 10 });
      doneAt = performance.now();
      for (const r of (await Promise.all(loops)).flat()) if (r.startedAt > doneAt && r.ack.status !== 22408) problems.push(`it${it}: ${r.ack.status}`);
      await post('group/user/gag/rollback', { userId: s });
    }
    expect(problems).toEqual([]);
  });
});

describe('batch 9: conversation status from several devices', () => {
  const item = (type: number, value: string) => ({ sessionStateType: type, value });
  const setSeAtt = (client: RawClient, owner: string, targetId: string, items: { sessionStateType: number; value: string }[]) =>
    client.query('setSeAtt', owner, encodeByName('SessionStateModifyReq', { version: Date.now(), state: [{ type: 1, channelId: targetId, time: Date.now(), stateItem: items }] }));
  const pullSe = async (client: RawClient, owner: string, time: number) => decodeByName('SessionStates', (await client.query('pullSeAtts', owner, encodeByName('SessionReq', { time }))).payload);

  it('top and DND of one conversation set at once from two devices are both kept', async () => {
    const problems: string[] = [];
    const a = unique('a');
    const a1 = await connect(a);
    const a2 = await connect(a);
    for (let it = 0; it < 20; it++) {
      const b = unique('b');
      const acks = await Promise.all([setSeAtt(a1, a, b, [item(1, '1')]), setSeAtt(a2, a, b, [item(2, '1')])]);
      const st = (await pullSe(a1, a, 0)).state.find((x) => x.channelId === b);
      const items = Object.fromEntries((st?.stateItem ?? []).map((i) => [i.sessionStateType, i.value]));
      if (items[1] !== '1' || items[2] !== '1') problems.push(`it${it}: ${JSON.stringify(items)} statuses ${acks.map((x) => x.status)}`);
    }
    expect(problems).toEqual([]);
  });

  it('a device pulling conversation status with its version cursor while three devices write never misses a change', async () => {
    const a = unique('a');
    const writers = await Promise.all([0, 1, 2].map(() => connect(a)));
    const reader = await connect(a);
    let done = false;
    const seen = new Set<string>();
    let cursor = 0;
    const once = async () => {
      const out = await pullSe(reader, a, cursor);
      out.state.forEach((x) => seen.add(x.channelId));
      cursor = Math.max(cursor, Number(out.version));
    };
    const r = (async () => {
      while (!done) await once();
      await once();
    })();
    const targets: string[] = [];
    await Promise.all(writers.map(async (w, k) => {
      for (let i = 0; i < 25; i++) {
        const t = `t${k}x${i}${unique('')}`;
        targets.push(t);
        const ack = await setSeAtt(w, a, t, [item(1, '1')]);
        expect(ack.status).toBe(0);
      }
    }));
    done = true;
    await r;
    expect(targets.filter((t) => !seen.has(t))).toEqual([]);
  });
});

describe('batch 8', () => {
  it('an autoDelete KV set racing the user\'s kick (chatroom/user/block/add) does not outlive the kick', async () => {
    const problems: string[] = [];
    const watcher = await connect(unique('w'), KV_APP);
    for (let it = 0; it < 25; it++) {
      const room = unique('r');
      await post('chatroom/create', { ['chatroom[' + room + ']']: room }, KV_APP);
      await watcher.query('joinChrm', room, encodeByName('ChrmInput', { nothing: 1 }));
      const a = unique('a');
      const ca = await connect(a, KV_APP);
      await ca.query('joinChrm', room, encodeByName('ChrmInput', { nothing: 1 }));
      const sets = Promise.all([0, 1, 2].map(async (d, i) => {
        await sleep(d);
        return ca.query('setKV', room, encodeByName('SetChrmKV', { entry: { key: `seat${i}`, value: 'a', status: 1 } }));
      }));
      await sleep(Math.random() * 3);
      await post('chatroom/user/block/add', { chatroomId: room, userId: a, minute: 10 }, KV_APP);
      const statuses = (await sets).map((x) => x.status);
      await sleep(100);
      const entries = decodeByName('ChrmKVOutput', (await watcher.query('pullKV', room, encodeByName('QueryChrmKV', { timestamp: 0 }))).payload).entries.filter((e) => ((e.status ?? 0) & 4) === 0);
      if (entries.length > 0) problems.push(`it${it}: ${entries.map((e) => e.key)} remain after the kick (set statuses ${statuses})`);
      await ca.close();
    }
    expect(problems).toEqual([]);
  });

  it('chatroom/user/block/add racing joins of the user: after the block answered the user is not a member and cannot send', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 40; it++) {
      const room = unique('r');
      await post('chatroom/create', { ['chatroom[' + room + ']']: room });
      const u = unique('u');
      const cu = await connect(u);
      const joins = Promise.all([0, 2, 4, 6].map(async (d) => {
        await sleep(d);
        return cu.query('joinChrm', room, encodeByName('ChrmInput', { nothing: 1 }));
      }));
      await sleep(Math.random() * 6);
      await post('chatroom/user/block/add', { chatroomId: room, userId: u, minute: 10 });
      const statuses = (await joins).map((j) => j.status);
      await sleep(50);
      const ex = (await post('chatroom/user/exist', { chatroomId: room, userId: u }))['isInChrm'];
      const send = await cu.publish('chatMsg', room, up('RC:TxtMsg', { content: 'x' }));
      if (ex !== false || send.status === 0) problems.push(`it${it}: joins ${statuses}, exist ${ex}, send ${send.status}`);
      await cu.close();
    }
    expect(problems).toEqual([]);
  });

  it('a join racing the idle destruction of a room: a send right after the join was acknowledged is accepted (the join is activity)', async () => {
    const problems: string[] = [];
    const u = unique('u');
    const cu = await connect(u, IDLE_APP);
    let joined = 0;
    await Promise.all(Array.from({ length: 60 }, async (_, i) => {
      const room = unique('r');
      await post('chatroom/create', { ['chatroom[' + room + ']']: room }, IDLE_APP);
      await sleep(150 + (i % 30) * 5);
      const j = await cu.query('joinChrm', room, encodeByName('ChrmInput', { nothing: 1 }));
      if (j.status !== 0) return;
      joined++;
      const send = await cu.publish('chatMsg', room, up('RC:TxtMsg', { content: 'x' }));
      if (send.status !== 0) problems.push(`${room}: joined but immediate send ${send.status}`);
    }));
    expect({ joined: joined > 0, problems }).toEqual({ joined: true, problems: [] });
  });
});

const CL_APP: TestApp = { key: 'raceclust', secret: 'raceclustsecret', options: { multiDevice: true, maxSendRate: 100000, 'rate.user/refresh': '10/s' } };
const CL_ROOM: TestApp = { key: 'raceclroom', secret: 'raceclroomsecret', options: { multiDevice: true, maxSendRate: 100000, chrmKvRate: 4, chrmMaxKeys: 3, chrmMaxMembers: 5, chrmMulti: 1, maxGroupMembers: 5 } };
const CL_ONEROOM: TestApp = { key: 'raceclone', secret: 'raceclonesecret', options: { multiDevice: true, maxSendRate: 100000 } };
const CL_SINGLE: TestApp = { key: 'raceclust1', secret: 'raceclust1secret', options: { multiDevice: false, maxSendRate: 100000 } };
(clusterAvailable() ? describe : describe.skip)('cluster (2 nodes, PostgreSQL + Redis)', () => {
  const suite = useCluster({ nodes: 2, database: 'huntraces', apps: [CL_APP, CL_SINGLE, CL_ROOM, CL_ONEROOM] });
  const at = (i: number, userId: string, app: TestApp = CL_APP) => connectUserAt(suite.cluster.node(i).url, app.key, apiAt(i, app), userId, suite.clients);
  const apiAt = (i: number, app: TestApp = CL_APP) => serverApi(suite.cluster.node(i).url, app.key, app.secret);
  const okAt = async (i: number, path: string, form: Record<string, string | number | readonly string[]>, app: TestApp = CL_APP) => {
    const r = await apiAt(i, app).post(path, form);
    expect({ path, body: r.body }).toMatchObject({ body: { code: 200 } });
    return r.body as Record<string, unknown>;
  };

  it('cluster: blacklist/add on node 1 racing sends on node 2: sends issued after the add answered get 405', async () => {
    const problems: string[] = [];
    const b = unique('b');
    await at(0, b);
    for (let it = 0; it < 30; it++) {
      const a = unique('a');
      const ca = await at(1, a);
      await ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: 'warm cache' }));
      let doneAt = Infinity;
      const loop = sendLoop(ca, 'ppMsgP', b, () => performance.now() > doneAt + 30, 100);
      await sleep(Math.random() * 10);
      await okAt(0, 'user/blacklist/add', { userId: b, blackUserId: a });
      doneAt = performance.now();
      const recs = await loop;
      const late = recs.filter((r) => r.startedAt > doneAt && r.ack.status !== 405);
      if (late.length) problems.push(`it${it}: ${late.length} sends after add answered got ${late.map((r) => r.ack.status)}`);
      await ca.close();
    }
    expect(problems).toEqual([]);
  });

  it('cluster: group/quit on node 1 racing sends on node 2: sends issued after the quit answered get 22406', async () => {
    const problems: string[] = [];
    const [s, c] = [unique('s'), unique('c')];
    const cs = await at(1, s);
    for (let it = 0; it < 30; it++) {
      const g = unique('g');
      await okAt(0, 'group/create', { userId: [s, c], groupId: g, groupName: 'G' });
      await cs.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'warm' }));
      let doneAt = Infinity;
      const loop = sendLoop(cs, 'pgMsgP', g, () => performance.now() > doneAt + 30, 100);
      await sleep(Math.random() * 10);
      await okAt(0, 'group/quit', { userId: s, groupId: g });
      doneAt = performance.now();
      const late = (await loop).filter((r) => r.startedAt > doneAt && r.ack.status !== 22406);
      if (late.length) problems.push(`it${it}: ${late.length} sends after quit answered got ${late.map((r) => r.ack.status)}`);
    }
    expect(problems).toEqual([]);
  });

  it('cluster: group gag on node 1 racing sends on node 2: sends issued after the gag answered get 22408', async () => {
    const problems: string[] = [];
    const [s, c] = [unique('s'), unique('c')];
    const cs = await at(1, s);
    for (let it = 0; it < 30; it++) {
      const g = unique('g');
      await okAt(0, 'group/create', { userId: [s, c], groupId: g, groupName: 'G' });
      await cs.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'warm' }));
      let doneAt = Infinity;
      const loop = sendLoop(cs, 'pgMsgP', g, () => performance.now() > doneAt + 30, 100);
      await sleep(Math.random() * 10);
      await okAt(0, 'group/user/gag/add', { userId: s, groupId: g, minute: 10 });
      doneAt = performance.now();
      const late = (await loop).filter((r) => r.startedAt > doneAt && r.ack.status !== 22408);
      if (late.length) problems.push(`it${it}: ${late.length} sends after gag answered got ${late.map((r) => r.ack.status)}`);
    }
    expect(problems).toEqual([]);
  });

  it('cluster: sensitiveword/add on node 1 racing sends on node 2: sends issued after the add answered get 21501', async () => {
    const problems: string[] = [];
    const [a, b] = [unique('a'), unique('b')];
    const ca = await at(1, a);
    await at(0, b);
    for (let it = 0; it < 20; it++) {
      const word = `w${it}x${Date.now().toString(36)}`;
      await ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: 'warm' }));
      let doneAt = Infinity;
      const recs: SendRecord[] = [];
      const loop = (async () => {
        for (let i = 0; i < 100; i++) {
          const startedAt = performance.now();
          recs.push({ startedAt, ack: await ca.publish('ppMsgP', b, up('RC:TxtMsg', { content: `say ${word}` })) });
          if (performance.now() > doneAt + 30) break;
        }
      })();
      await sleep(Math.random() * 10);
      await okAt(0, 'sensitiveword/add', { word });
      doneAt = performance.now();
      await loop;
      const late = recs.filter((r) => r.startedAt > doneAt && r.ack.status !== 21501);
      if (late.length) problems.push(`it${it}: ${late.length} sends after add answered got ${late.map((r) => r.ack.status)}`);
      await okAt(0, 'sensitiveword/delete', { word });
    }
    expect(problems).toEqual([]);
  });

  it('cluster: user/block on node 1: the session on node 2 accepts no send issued after the block answered', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 10; it++) {
      const [a, b] = [unique('a'), unique('b')];
      await at(0, a);
      const cb = await at(1, b);
      let doneAt = Infinity;
      const accepted: number[] = [];
      let stop = false;
      const loop = (async () => {
        for (let i = 0; i < 300 && !stop && !cb.isClosed; i++) {
          const startedAt = performance.now();
          try {
            const ack = await cb.publish('ppMsgP', a, up('RC:TxtMsg', { content: `m${i}` }), { timeoutMs: 1500 });
            if (ack.status === 0) accepted.push(startedAt);
          } catch {
            break;
          }
        }
      })();
      await sleep(10 + Math.random() * 10);
      await okAt(0, 'user/block', { userId: b, minute: 5 });
      doneAt = performance.now();
      const closed = await Promise.race([cb.closed.then(() => true), sleep(3000).then(() => false)]);
      stop = true;
      await loop;
      if (!closed) problems.push(`it${it}: not closed`);
      const late = accepted.filter((t) => t > doneAt).length;
      if (late) problems.push(`it${it}: ${late} sends accepted after block answered`);
      await okAt(0, 'user/unblock', { userId: b });
    }
    expect(problems).toEqual([]);
  });

  it('cluster: rate.user/refresh=10/s holds across nodes (40 concurrent calls split over 2 nodes)', async () => {
    const u = unique('r');
    await apiAt(0).post('user/getToken', { userId: u, name: u });
    await sleep(1100);
    const res = await Promise.all(Array.from({ length: 40 }, (_, i) => apiAt(i % 2).post('user/refresh', { userId: u, name: `n${i}` })));
    expect(res.filter((r) => r.body['code'] === 200).length).toBeLessThanOrEqual(10);
  });

  it('cluster: multiDevice=0 logins of one user on both nodes at once leave exactly one session', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 10; it++) {
      const u = unique('m');
      const token = (await apiAt(0, CL_SINGLE).post<{ token: string }>('user/getToken', { userId: u, name: u })).body.token;
      const cs = await Promise.all([0, 1, 0, 1].map((i) => connectRaw({ url: suite.cluster.node(i).url, appKey: CL_SINGLE.key, token })));
      suite.clients.push(...cs);
      await Promise.all(cs.map((c) => c.ping(1000).catch(() => undefined)));
      await sleep(1800);
      const open = cs.filter((c) => !c.isClosed).length;
      if (open !== 1) problems.push(`it${it}: ${open} open`);
    }
    expect(problems).toEqual([]);
  });

  const joinRoom = (c: RawClient, room: string) => c.query('joinChrm', room, encodeByName('ChrmInput', { nothing: 1 }));
  const kv = (c: RawClient, room: string, key: string, value: string, status?: number) =>
    c.query('setKV', room, encodeByName('SetChrmKV', { entry: { key, value, ...(status !== undefined ? { status } : {}) } }));

  it('cluster: chrmKvRate=4 per room holds when the room\'s members are on two nodes', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 5; it++) {
      const room = unique('r');
      const c0 = await at(0, unique('a'), CL_ROOM);
      const c1 = await at(1, unique('b'), CL_ROOM);
      expect((await joinRoom(c0, room)).status).toBe(0);
      expect((await joinRoom(c1, room)).status).toBe(0);
      await sleep(1100);
      const acks = await Promise.all([c0, c1].flatMap((c, n) => [0, 1, 2].map((i) => kv(c, room, `k${i}`, `v${n}`, 1))));
      const ok = acks.filter((x) => x.status === 0).length;
      if (ok > 4) problems.push(`it${it}: ${ok} KV changes accepted in one burst (limit 4/s per room)`);
    }
    expect(problems).toEqual([]);
  });

  it('cluster: chrmMaxKeys=3 holds for concurrent sets from two nodes', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 5; it++) {
      const room = unique('r');
      const c0 = await at(0, unique('a'), CL_ROOM);
      const c1 = await at(1, unique('b'), CL_ROOM);
      await joinRoom(c0, room);
      await joinRoom(c1, room);
      const acks = await Promise.all([kv(c0, room, 'a1', 'v'), kv(c0, room, 'a2', 'v'), kv(c1, room, 'b1', 'v'), kv(c1, room, 'b2', 'v')]);
      const ok = acks.filter((x) => x.status === 0).length;
      const entries = decodeByName('ChrmKVOutput', (await c0.query('pullKV', room, encodeByName('QueryChrmKV', { timestamp: 0 }))).payload).entries.filter((e) => ((e.status ?? 0) & 4) === 0);
      if (ok > 3 || entries.length > 3) problems.push(`it${it}: ${ok} sets ok, ${entries.length} keys (cap 3); statuses ${acks.map((x) => x.status)}`);
      await sleep(1100);
    }
    expect(problems).toEqual([]);
  });

  it('cluster: setKV of one key without overwrite from two nodes at once: exactly one wins', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 8; it++) {
      const room = unique('r');
      const c0 = await at(0, unique('a'), CL_ROOM);
      const c1 = await at(1, unique('b'), CL_ROOM);
      await joinRoom(c0, room);
      await joinRoom(c1, room);
      const acks = await Promise.all([kv(c0, room, 'k', 'zero'), kv(c1, room, 'k', 'one')]);
      const stored = decodeByName('ChrmKVOutput', (await c0.query('pullKV', room, encodeByName('QueryChrmKV', { timestamp: 0 }))).payload).entries.find((e) => e.key === 'k')?.value;
      const winners = acks.map((x, i) => (x.status === 0 ? ['zero', 'one'][i] : undefined)).filter(Boolean);
      if (winners.length !== 1 || stored !== winners[0]) problems.push(`it${it}: ${acks.map((x) => x.status)} stored ${stored}`);
      await sleep(600);
    }
    expect(problems).toEqual([]);
  });

  it('cluster: maxGroupMembers=5 holds for concurrent group/join through two nodes', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 6; it++) {
      const g = unique('g');
      await okAt(0, 'group/create', { userId: unique('o'), groupId: g, groupName: 'G' }, CL_ROOM);
      const res = await Promise.all(Array.from({ length: 10 }, (_, i) => apiAt(i % 2, CL_ROOM).post('group/join', { userId: unique('u'), groupId: g })));
      const ok = res.filter((r) => r.body['code'] === 200).length;
      const m = ((await okAt(0, 'group/user/query', { groupId: g }, CL_ROOM))['users'] as unknown[]).length;
      if (m > 5 || ok + 1 !== m) problems.push(`it${it}: ${ok} joins ok, ${m} members (cap 5)`);
    }
    expect(problems).toEqual([]);
  });

  it('cluster: chatroom/destroy on node 1 racing sends on node 2: sends issued after the destroy answered are refused', async () => {
    const problems: string[] = [];
    const a = unique('a');
    const ca = await at(1, a);
    for (let it = 0; it < 15; it++) {
      const room = unique('r');
      await okAt(0, 'chatroom/create', { ['chatroom[' + room + ']']: room });
      await joinRoom(ca, room);
      let doneAt = Infinity;
      const loop = sendLoop(ca, 'chatMsg', room, () => performance.now() > doneAt + 30, 100);
      await sleep(Math.random() * 10);
      await okAt(0, 'chatroom/destroy', { chatroomId: room });
      doneAt = performance.now();
      const late = (await loop).filter((r) => r.startedAt > doneAt && r.ack.status === 0);
      if (late.length) problems.push(`it${it}: ${late.length} sends accepted after destroy answered`);
    }
    expect(problems).toEqual([]);
  });

  it('cluster: chatroom gag on node 1 racing sends on node 2: sends issued after the gag answered get 23408', async () => {
    const problems: string[] = [];
    const a = unique('a');
    const ca = await at(1, a);
    for (let it = 0; it < 15; it++) {
      const room = unique('r');
      await okAt(0, 'chatroom/create', { ['chatroom[' + room + ']']: room });
      await joinRoom(ca, room);
      let doneAt = Infinity;
      const loop = sendLoop(ca, 'chatMsg', room, () => performance.now() > doneAt + 30, 100);
      await sleep(Math.random() * 10);
      await okAt(0, 'chatroom/user/gag/add', { chatroomId: room, userId: a, minute: 10 });
      doneAt = performance.now();
      const late = (await loop).filter((r) => r.startedAt > doneAt && r.ack.status !== 23408);
      if (late.length) problems.push(`it${it}: ${late.length} sends after gag answered got ${late.map((r) => r.ack.status)}`);
    }
    expect(problems).toEqual([]);
  });

  it('cluster: user/block or token/expire through node 1, then a connect to node 2 right after is refused', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 10; it++) {
      const u = unique('u');
      const token = (await apiAt(0).post<{ token: string }>('user/getToken', { userId: u, name: u })).body.token;
      await okAt(0, 'user/block', { userId: u, minute: 5 });
      const c = await connectRaw({ url: suite.cluster.node(1).url, appKey: CL_APP.key, token });
      suite.clients.push(c);
      if (c.connack.status !== 9) problems.push(`it${it}: connect after block ${c.connack.status}`);
      const v = unique('v');
      const t2 = (await apiAt(0).post<{ token: string }>('user/getToken', { userId: v, name: v })).body.token;
      await sleep(5);
      await okAt(0, 'user/token/expire', { userId: v, time: String(Date.now()) });
      const c2 = await connectRaw({ url: suite.cluster.node(1).url, appKey: CL_APP.key, token: t2 });
      suite.clients.push(c2);
      if (c2.connack.status === 0) problems.push(`it${it}: expired token accepted on node 2`);
    }
    expect(problems).toEqual([]);
  });

  it('cluster: a member joining on node 1 receives every room message sent on node 2 after its join answered', async () => {
    const problems: string[] = [];
    const cs = await at(1, unique('s'));
    for (let it = 0; it < 12; it++) {
      const room = unique('r');
      await joinRoom(cs, room);
      const cj = await at(0, unique('j'));
      let joinedAt = Infinity;
      const sent: { startedAt: number; id: string }[] = [];
      const loop = (async () => {
        for (let i = 0; i < 60; i++) {
          const startedAt = performance.now();
          const ack = await cs.publish('chatMsg', room, up('RC:TxtMsg', { content: `m${i}` }));
          if (ack.status === 0) sent.push({ startedAt, id: ack.messageUId! });
          if (performance.now() > joinedAt + 40) break;
        }
      })();
      await sleep(Math.random() * 10);
      const jack = await joinRoom(cj, room);
      joinedAt = performance.now();
      await loop;
      await sleep(300);
      const got = new Set<string>();
      let cursor = 0;
      for (let k = 0; k < 20; k++) {
        const ack = await cj.query('chrmPull', room, encodeByName('ChrmPullMsg', { syncTime: cursor, count: 50 }));
        const out = decodeByName('DownStreamMessages', ack.payload);
        out.list.forEach((m) => got.add(m.msgId ?? ''));
        const finished = Object.prototype.hasOwnProperty.call(out, 'finished') ? out.finished : undefined;
        cursor = Math.max(cursor, Number(out.syncTime));
        if (finished !== false) break;
      }
      const missing = sent.filter((x) => x.startedAt > joinedAt && !got.has(x.id)).length;
      if (jack.status !== 0 || missing > 0) problems.push(`it${it}: join ${jack.status}, ${missing} of ${sent.filter((x) => x.startedAt > joinedAt).length} later messages missing`);
      await cj.close();
    }
    expect(problems).toEqual([]);
  });

  it('cluster: two devices on two nodes recalling one message at once: exactly one succeeds', async () => {
    const problems: string[] = [];
    const [a, b] = [unique('a'), unique('b')];
    const a0 = await at(0, a);
    const a1 = await at(1, a);
    await at(0, b);
    for (let it = 0; it < 20; it++) {
      const ack = await a0.publish('ppMsgP', b, up('RC:TxtMsg', { content: `r${it}` }));
      const sentTime = (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);
      const cmd = up('RC:RcCmd', { conversationType: 1, targetId: b, messageUId: ack.messageUId, sentTime }, 0);
      const res = await Promise.all([a0.publish('recallMsg', a, cmd), a1.publish('recallMsg', a, cmd)]);
      if (res.filter((r) => r.status === 0).length !== 1) problems.push(`it${it}: ${res.map((r) => r.status)}`);
    }
    expect(problems).toEqual([]);
  });

  it('cluster: group/create of one id through both nodes at once yields the union of members', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 15; it++) {
      const g = unique('g');
      const [a, b] = [unique('a'), unique('b')];
      const res = await Promise.all([apiAt(0).post('group/create', { userId: a, groupId: g, groupName: 'A' }), apiAt(1).post('group/create', { userId: b, groupId: g, groupName: 'B' })]);
      const m = ((await okAt(0, 'group/user/query', { groupId: g }))['users'] as { id: string }[]).map((u) => u.id).sort();
      if (res.some((r) => r.body['code'] !== 200) || m.join() !== [a, b].sort().join()) problems.push(`it${it}: ${res.map((r) => r.text)} members ${m}`);
    }
    expect(problems).toEqual([]);
  });

  it('cluster: lxReadPos from devices on two nodes at once ends at the newer time', async () => {
    const problems: string[] = [];
    const [r, p] = [unique('r'), unique('p')];
    const r0 = await at(0, r);
    const r1 = await at(1, r);
    const cp = await at(0, p);
    const readPos = async (c: RawClient, items: { type: number; targetId: string; readTime: number }[]) =>
      decodeByName('ReadPositionOutput', (await c.query('lxReadPos', r, encodeByName('ReadPositionReq', { since: 0, items }))).payload);
    for (let it = 0; it < 20; it++) {
      const t1 = await cp.publish('ppMsgP', r, up('RC:TxtMsg', { content: 'one' }));
      const t2 = await cp.publish('ppMsgP', r, up('RC:TxtMsg', { content: 'two' }));
      const [old, neu] = [t1, t2].map((a) => (a.date ?? 0) * 1000 + (a.millisecond ?? 0)) as [number, number];
      await Promise.all([readPos(r0, [{ type: 1, targetId: p, readTime: neu }]), readPos(r1, [{ type: 1, targetId: p, readTime: old }])]);
      const pos = Number((await readPos(r1, [])).items.find((i) => i.targetId === p)?.readTime);
      if (pos !== neu) problems.push(`it${it}: ${pos} vs newer ${neu}`);
    }
    expect(problems).toEqual([]);
  });

  it('cluster: chatroom/destroy on node 1 racing joins on node 2: a join acknowledged before the destroy started does not survive it', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 30; it++) {
      const room = unique('r');
      await okAt(0, 'chatroom/create', { ['chatroom[' + room + ']']: room });
      const users = [unique('u'), unique('u'), unique('u')];
      const cs = await Promise.all(users.map((u) => at(1, u)));
      const ackAt: number[] = [];
      const statuses: number[] = [];
      const joins = Promise.all(cs.map(async (c, i) => {
        await sleep(i * 2);
        const j = await joinRoom(c, room);
        statuses[i] = j.status;
        ackAt[i] = performance.now();
      }));
      await sleep(Math.random() * 6);
      const destroyStart = performance.now();
      await okAt(0, 'chatroom/destroy', { chatroomId: room });
      await joins;
      await sleep(100);
      for (let i = 0; i < users.length; i++) {
        if (statuses[i] !== 0 || (ackAt[i] as number) > destroyStart) continue;
        const ex = (await okAt(0, 'chatroom/user/exist', { chatroomId: room, userId: users[i]! }))['isInChrm'];
        const send = await cs[i]!.publish('chatMsg', room, up('RC:TxtMsg', { content: 'x' }));
        if (ex !== false || send.status === 0) problems.push(`it${it}: user ${i} exist ${ex} send ${send.status}`);
      }
      await Promise.all(cs.map((c) => c.close()));
    }
    expect(problems).toEqual([]);
  });

  it('cluster: chatroom/ban/add (whole room) on node 1 racing sends on node 2: sends after the ban answered get 23408', async () => {
    const problems: string[] = [];
    const a = unique('a');
    const ca = await at(1, a);
    for (let it = 0; it < 15; it++) {
      const room = unique('r');
      await okAt(0, 'chatroom/create', { ['chatroom[' + room + ']']: room });
      await joinRoom(ca, room);
      let doneAt = Infinity;
      const loop = sendLoop(ca, 'chatMsg', room, () => performance.now() > doneAt + 30, 100);
      await sleep(Math.random() * 10);
      await okAt(0, 'chatroom/ban/add', { chatroomId: room });
      doneAt = performance.now();
      const late = (await loop).filter((r) => r.startedAt > doneAt && r.ack.status !== 23408);
      if (late.length) problems.push(`it${it}: ${late.length} sends after ban answered got ${late.map((r) => r.ack.status)}`);
    }
    expect(problems).toEqual([]);
  });

  it('cluster: group/ban/add on node 1 racing sends on node 2: sends after the ban answered get 22408', async () => {
    const problems: string[] = [];
    const [s, c] = [unique('s'), unique('c')];
    const cs = await at(1, s);
    for (let it = 0; it < 20; it++) {
      const g = unique('g');
      await okAt(0, 'group/create', { userId: [s, c], groupId: g, groupName: 'G' });
      await cs.publish('pgMsgP', g, up('RC:TxtMsg', { content: 'warm' }));
      let doneAt = Infinity;
      const loop = sendLoop(cs, 'pgMsgP', g, () => performance.now() > doneAt + 30, 100);
      await sleep(Math.random() * 10);
      await okAt(0, 'group/ban/add', { groupId: g });
      doneAt = performance.now();
      const late = (await loop).filter((r) => r.startedAt > doneAt && r.ack.status !== 22408);
      if (late.length) problems.push(`it${it}: ${late.length} sends after ban answered got ${late.map((r) => r.ack.status)}`);
    }
    expect(problems).toEqual([]);
  });

  it('cluster: chatroom/user/block/add (kick) on node 1 racing sends on node 2: no send issued after the kick answered is accepted', async () => {
    const problems: string[] = [];
    for (let it = 0; it < 25; it++) {
      const room = unique('r');
      await okAt(0, 'chatroom/create', { ['chatroom[' + room + ']']: room });
      const a = unique('a');
      const ca = await at(1, a);
      await joinRoom(ca, room);
      let doneAt = Infinity;
      const loop = sendLoop(ca, 'chatMsg', room, () => performance.now() > doneAt + 40, 100);
      await sleep(Math.random() * 10);
      await okAt(0, 'chatroom/user/block/add', { chatroomId: room, userId: a, minute: 10 });
      doneAt = performance.now();
      const late = (await loop).filter((r) => r.startedAt > doneAt && r.ack.status === 0);
      if (late.length) problems.push(`it${it}: ${late.length} sends accepted after the kick answered`);
      await ca.close();
    }
    expect(problems).toEqual([]);
  });

  it('cluster: a device pulling conversation status with its version cursor while devices on both nodes write never misses a change', async () => {
    const a = unique('a');
    const writers = await Promise.all([0, 1, 0, 1].map((i) => at(i, a)));
    const reader = await at(0, a);
    const item = (type: number, value: string) => ({ sessionStateType: type, value });
    const setSeAtt = (client: RawClient, targetId: string) =>
      client.query('setSeAtt', a, encodeByName('SessionStateModifyReq', { version: Date.now(), state: [{ type: 1, channelId: targetId, time: Date.now(), stateItem: [item(1, '1')] }] }));
    let done = false;
    const seen = new Set<string>();
    let cursor = 0;
    const once = async () => {
      const out = decodeByName('SessionStates', (await reader.query('pullSeAtts', a, encodeByName('SessionReq', { time: cursor }))).payload);
      out.state.forEach((x) => seen.add(x.channelId));
      cursor = Math.max(cursor, Number(out.version));
    };
    const r = (async () => {
      while (!done) await once();
      await once();
    })();
    const targets: string[] = [];
    await Promise.all(writers.map(async (w, k) => {
      for (let i = 0; i < 25; i++) {
        const t = `t${k}x${i}${unique('')}`;
        targets.push(t);
        expect((await setSeAtt(w, t)).status).toBe(0);
      }
    }));
    done = true;
    await r;
    expect(targets.filter((t) => !seen.has(t))).toEqual([]);
  });

  it('control: cluster: an autoDelete KV set on node 2 is removed by a later kick on node 1', async () => {
    const watcher = await at(0, unique('w'), CL_ROOM);
    const room = unique('r');
    await okAt(0, 'chatroom/create', { ['chatroom[' + room + ']']: room }, CL_ROOM);
    await joinRoom(watcher, room);
    const a = unique('a');
    const ca = await at(1, a, CL_ROOM);
    await joinRoom(ca, room);
    expect((await kv(ca, room, 'seat', 'a', 1)).status).toBe(0);
    await okAt(0, 'chatroom/user/block/add', { chatroomId: room, userId: a, minute: 10 }, CL_ROOM);
    await sleep(200);
    const entries = decodeByName('ChrmKVOutput', (await watcher.query('pullKV', room, encodeByName('QueryChrmKV', { timestamp: 0 }))).payload).entries.filter((e) => ((e.status ?? 0) & 4) === 0);
    expect(entries.map((e) => e.key)).toEqual([]);
  });

  it('cluster: a recipient pulling with its cursor on node 1 while senders on both nodes burst never skips a message', async () => {
    const r = unique('r');
    const cr = await at(0, r);
    const senders = await Promise.all(Array.from({ length: 6 }, (_, i) => at(i % 2, unique('s'))));
    let done = false;
    const got = new Set<string>();
    let syncTime = 0;
    const once = async () => {
      const ack = await cr.query('pullMsg', r, encodeByName('SyncRequestMsg', { syncTime, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 }));
      const page = decodeByName('DownStreamMessages', ack.payload);
      page.list.forEach((m) => got.add(m.msgId ?? ''));
      syncTime = Math.max(syncTime, Number(page.syncTime));
      return page;
    };
    const receiver = (async () => {
      while (!done) await once();
      for (let i = 0; i < 20; i++) {
        const p = await once();
        if (p.list.length === 0 && p.finished !== false) break;
      }
    })();
    const acked = (await Promise.all(senders.map(async (c) => {
      const ids: string[] = [];
      for (let k = 0; k < 10; k++) {
        const acks = await Promise.all(Array.from({ length: 10 }, (_, i) => c.publish('ppMsgP', r, up('RC:TxtMsg', { content: `m${k}-${i}` }))));
        ids.push(...acks.filter((a) => a.status === 0).map((a) => a.messageUId!));
      }
      return ids;
    }))).flat();
    done = true;
    await receiver;
    expect({ acked: acked.length, missing: acked.filter((id) => !got.has(id)).length }).toEqual({ acked: 600, missing: 0 });
  });
});

// silence unused import
void (null as unknown as PublishFrame);
