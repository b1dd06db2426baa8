/**
 * Upgrading a SQLite deployment to the current code, from three generations of the store (upgrade-support.ts
 * GENERATIONS): 569f2b9 (before migration 011: TEXT-keyed entries and conversations), 93df201 (after 012 pending
 * entries, before 013 segments), e898b99 (after 019, before 020-023). Each has two fixtures under
 * server/test/fixtures/upgrade/, data directories made by that commit's own server (scripts/make-upgrade-fixtures.ts;
 * no git, no worktree and no old code is needed here):
 *  - `<sha7>-graceful`: filled through the Server API and raw CMP clients, observed, stopped with SIGTERM. The
 *    current server is started on a copy and must answer every observation as the old one did
 *    (`<sha7>-graceful.expected.json`), then carry new traffic;
 *  - `<sha7>-crash`: three senders until 450 PUBACKs, then SIGKILL with sends in flight (WAL as the crash left it).
 *    Every PUBACKed message must be pulled exactly once by each recipient, in send order per sender, and be in
 *    the history and the conversation list; then new traffic.
 * The current server's wall clock starts where the fixture's stopped (test/support/shifted-clock.cjs), so blocks, gags and
 * chatrooms are as they were whenever this runs. The one normalization: Server API `requestId`s (per call).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeByName } from '../../../src/internal';
import type { RawClient } from '../../../test/support/raw-client';
import { serverApi } from '../../../test/support/server-api-client';
import type { RunningServer } from '../../../test/support/server-launcher';
import {
  APP,
  GENERATIONS,
  SECTIONS,
  connectUser,
  decodeAck,
  fixtureArchive,
  fixtureExpected,
  historyAll,
  listTree,
  observe,
  pullAll,
  relations,
  shortPages,
  startCurrent,
  unpackTo,
  up,
  type CrashExpected,
  type Generation,
  type GracefulExpected,
  type Observation,
  type Scenario,
} from './upgrade-support';

jest.setTimeout(120_000);

interface Replay<E> {
  expected: E;
  dataDir: string;
  /** The unpacked directory, before the current server touched it. */
  unpacked: [string, number][];
  server: RunningServer;
}

async function replay<E extends GracefulExpected | CrashExpected>(gen: Generation, scenario: Scenario): Promise<Replay<E>> {
  const expected = JSON.parse(readFileSync(fixtureExpected(gen.sha, scenario), 'utf8')) as E;
  const dataDir = mkdtempSync(join(tmpdir(), `lx-upgrade-${scenario}-`));
  unpackTo(readFileSync(fixtureArchive(gen.sha, scenario)), dataDir);
  const unpacked = listTree(dataDir);
  const server = await startCurrent(dataDir, expected.clockStart);
  return { expected, dataDir, unpacked, server };
}

const ackTime = (ack: { date?: number | null; millisecond?: number | null }): number => (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);

function fixtureChecks(get: () => Replay<GracefulExpected | CrashExpected>, gen: Generation, scenario: Scenario): void {
  it('the fixture unpacks to what its expected JSON lists, made by that commit with this app', () => {
    const { expected, unpacked } = get();
    expect([expected.format, expected.sha, expected.scenario]).toEqual([1, gen.sha, scenario]);
    expect(expected.app).toEqual(APP);
    expect(unpacked).toEqual(expected.files);
  });
}

// ---------------------------------------------------------------- stopped with SIGTERM, then upgraded

function gracefulSuite(gen: Generation): void {
  describe(`upgrade from ${gen.label} (${gen.sha.slice(0, 7)}), stopped with SIGTERM`, () => {
    let r: Replay<GracefulExpected> | undefined;
    let after: Observation = {};
    const clients: RawClient[] = [];
    const connect = async (user: string): Promise<RawClient> => {
      const client = await connectUser(r!.server.url, r!.expected.world.tokens, user);
      clients.push(client);
      return client;
    };
    beforeAll(async () => {
      r = await replay<GracefulExpected>(gen, 'graceful');
      after = await observe(r.server, r.expected.world);
    }, 120_000);
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await r?.server.stop();
      if (r) rmSync(r.dataDir, { recursive: true, force: true });
    });

    fixtureChecks(() => r!, gen, 'graceful');

    for (const section of SECTIONS) {
      it(`${section}: as the old server answered`, () => {
        const before = r!.expected.observations[section];
        expect(before).toBeDefined();
        // An endpoint the old version did not have (its data could not be made either): nothing to compare.
        if ((before as { code?: number }).code === 404) return;
        expect(after[section]).toEqual(before);
      });
    }

    it('a conversation muted with the Server API (isMuted=1) before migration 023 answers unpushLevel 1 after it, by design (docs/COMPATIBILITY.md)', () => {
      // Pre-023 a stored 1 came from a client's do-not-disturb (RongCloud's level 1, the common case) or from
      // isMuted=1: the data cannot tell them apart, and 023 keeps it as level 1.
      expect(r!.expected.observations['api notification g1']).toEqual({ code: 200, isMuted: 1, unpushLevel: 5 });
      expect(after['api notification g1']).toEqual({ code: 200, isMuted: 1, unpushLevel: 1 });
    });

    it('read receipts v2 recorded before the upgrade keep counting only recipients after it', async () => {
      const { users, g1, receiptUid, directedUid } = r!.expected.world;
      const ca = await connect(users.a);
      const cc = await connect(users.c);
      const cm = await connect(users.m);
      expect((await cc.query('rrMsg', g1, encodeByName('GrpReadReceiptMsg', { msgId: [receiptUid, directedUid] }))).status).toBe(0);
      expect((await cm.query('rrMsg', g1, encodeByName('GrpReadReceiptMsg', { msgId: [receiptUid] }))).status).toBe(0);
      const list = async (msgUid: string) => decodeAck('GrpReadReceiptQryResp', await ca.query('rrList', g1, encodeByName('GrpReadReceiptQryReq', { msgId: [msgUid] }))).list.map((x) => x.userId);
      expect(await list(receiptUid)).toEqual([users.b, users.c, users.m]);
      expect(await list(directedUid)).toEqual([users.b]);
    });

    it('old tokens connect; the blocked user is still refused', () => {
      const [a, b, c, m, b5, d] = after['connack'] as number[];
      expect([a, b, c, m, b5]).toEqual([0, 0, 0, 0, 0]);
      expect(d).not.toBe(0);
    });

    it('new messages flow after the upgrade, on the fixture\'s clock: b pulls exactly the new ones from its cursor; conversation lists move', async () => {
      const { users, g1 } = r!.expected.world;
      const ca = await connect(users.a);
      const cb = await connect(users.b);
      const { cursor } = await pullAll(cb, 0);
      const sent: string[] = [];
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const ack = await ca.publish('ppMsgP', users.b, up('RC:TxtMsg', { content: `after ${i}` }));
        expect(ack.status).toBe(0);
        sent.push(ack.messageUId ?? '');
        times.push(ackTime(ack));
      }
      const g = await ca.publish('pgMsgP', g1, up('RC:TxtMsg', { content: 'after group' }));
      expect(g.status).toBe(0);
      sent.push(g.messageUId ?? '');
      // The server's clock starts where the fixture's stopped (test/support/shifted-clock.cjs), not at today's date.
      expect(times[0]).toBeGreaterThanOrEqual(r!.expected.clockStart);
      expect(times[0]).toBeLessThan(r!.expected.clockStart + 10 * 60_000);
      const got = await pullAll(cb, cursor);
      expect(got.list.map((m) => m.msgId)).toEqual(sent);
      expect((await pullAll(cb, got.cursor)).list).toEqual([]);
      const list = await relations(cb);
      expect(list.slice(0, 2).map((x) => [x.target, x.last])).toEqual([[g1, sent[3]], [users.a, sent[2]]]);
      const hist = await historyAll(cb, 'qryPMsg', users.a);
      expect(hist.slice(0, 3).map((m) => m.msgId)).toEqual([sent[2], sent[1], sent[0]]);
    });

    it('a conversation removed before the upgrade stays removed, and a new message relists it', async () => {
      const { users } = r!.expected.world;
      const cc = await connect(users.c);
      const cb = await connect(users.b);
      const targets = async () => (await relations(cc)).map((x) => x.target);
      expect(await targets()).not.toContain(users.b);
      const ack = await cb.publish('ppMsgP', users.c, up('RC:TxtMsg', { content: 'relist' }));
      expect(ack.status).toBe(0);
      expect((await targets())[0]).toBe(users.b);
      const hist = await historyAll(cc, 'qryPMsg', users.b);
      expect(hist.map((m) => m.content)).toEqual([JSON.stringify({ content: 'relist' }), JSON.stringify({ content: 'c to b 2' }), JSON.stringify({ content: 'c to b 1' })]);
    });

    it('the blacklist still refuses e → b; the group ban and gag still refuse', async () => {
      const { users, g1, g2 } = r!.expected.world;
      const ce = await connect(users.e);
      const cc = await connect(users.c);
      const ca = await connect(users.a);
      const cb = await connect(users.b);
      expect((await ce.publish('ppMsgP', users.b, up('RC:TxtMsg', { content: 'blocked?' }))).status).not.toBe(0);
      expect((await cc.publish('pgMsgP', g1, up('RC:TxtMsg', { content: 'gagged?' }))).status).not.toBe(0);
      expect((await ca.publish('pgMsgP', g2, up('RC:TxtMsg', { content: 'banned?' }))).status).not.toBe(0);
      expect((await cb.publish('pgMsgP', g2, up('RC:TxtMsg', { content: 'whitelisted' }))).status).toBe(0);
    });

    it('a Server API mute (isMuted=1) set after the upgrade answers unpushLevel 5', async () => {
      const { users, g1, g2 } = r!.expected.world;
      const api = serverApi(r!.server.url, APP.key, APP.secret);
      for (const targetId of [g2, g1]) {
        expect((await api.post('conversation/notification/set', { requestId: users.b, conversationType: 3, targetId, isMuted: 1 })).body).toMatchObject({ code: 200 });
        expect((await api.post('conversation/notification/get', { requestId: users.b, conversationType: 3, targetId })).body).toMatchObject({ code: 200, isMuted: 1, unpushLevel: 5 });
      }
    });
  });
}

// ---------------------------------------------------------------- SIGKILLed mid-traffic, then upgraded

function crashSuite(gen: Generation): void {
  describe(`upgrade after a SIGKILL mid-traffic on ${gen.label} (${gen.sha.slice(0, 7)})`, () => {
    let r: Replay<CrashExpected> | undefined;
    const clients: RawClient[] = [];
    const connect = async (user: string): Promise<RawClient> => {
      const client = await connectUser(r!.server.url, r!.expected.crash.tokens, user);
      clients.push(client);
      return client;
    };
    beforeAll(async () => {
      r = await replay<CrashExpected>(gen, 'crash');
    }, 120_000);
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await r?.server.stop();
      if (r) rmSync(r.dataDir, { recursive: true, force: true });
    });

    fixtureChecks(() => r!, gen, 'crash');

    it('the fixture holds what the crash left: a WAL with content', () => {
      expect(r!.unpacked.find(([path]) => path === 'lianxin.db-wal')?.[1]).toBeGreaterThan(0);
      expect(r!.expected.crash.acked.length).toBeGreaterThan(20);
    });

    it('every PUBACKed message is pulled exactly once by each recipient, in send order per sender; nothing else but sends in flight', async () => {
      const { recipients, senders, acked, inFlight } = r!.expected.crash;
      const ackedIds = new Set(acked.map((m) => m.uid));
      for (const recipient of recipients) {
        const client = await connect(recipient);
        const { list } = await pullAll(client, 0, false);
        const ids = list.map((m) => m.msgId);
        expect(ids.length).toBe(new Set(ids).size);
        const expected = acked.filter((m) => m.group || m.to === recipient).map((m) => m.uid);
        expect(expected.filter((k) => !ids.includes(k))).toEqual([]);
        expect(ids.filter((k) => !ackedIds.has(k)).length).toBeLessThanOrEqual(inFlight);
        for (const s of senders) {
          const seqs = list.filter((m) => m.from === s).map((m) => Number(/#(\d+)/.exec((JSON.parse(m.content) as { content: string }).content)?.[1]));
          expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
        }
      }
    });

    it('history and the conversation list agree with what was PUBACKed', async () => {
      const { recipients, senders, acked, group } = r!.expected.crash;
      for (const recipient of recipients) {
        const client = await connect(recipient);
        const convs = await relations(client);
        for (const s of senders) {
          const hist = await historyAll(client, 'qryPMsg', s);
          const ids = hist.map((m) => m.msgId);
          expect(ids.length).toBe(new Set(ids).size);
          const expected = acked.filter((m) => !m.group && m.to === recipient && m.from === s).map((m) => m.uid);
          expect(expected.filter((k) => !ids.includes(k))).toEqual([]);
          if (hist.length > 0) expect(convs.find((cv) => cv.target === s)?.last).toBe(hist[0]!.msgId);
        }
        const g = await historyAll(client, 'qryGMsg', group);
        const gIds = g.map((m) => m.msgId);
        expect(gIds.length).toBe(new Set(gIds).size);
        expect(shortPages).toEqual([]);
        expect(acked.filter((m) => m.group).map((m) => m.uid).filter((k) => !gIds.includes(k))).toEqual([]);
        if (g.length > 0) expect(convs.find((cv) => cv.target === group)?.last).toBe(g[0]!.msgId);
      }
    });

    it('new messages flow after the crash + upgrade', async () => {
      const { senders, recipients } = r!.expected.crash;
      const a = await connect(senders[0]!);
      const b = await connect(recipients[0]!);
      const { cursor } = await pullAll(b, 0, false);
      const ack = await a.publish('ppMsgP', recipients[0]!, up('RC:TxtMsg', { content: 'after crash' }));
      expect(ack.status).toBe(0);
      expect((await pullAll(b, cursor, false)).list.map((m) => m.msgId)).toEqual([ack.messageUId]);
    });
  });
}

for (const gen of GENERATIONS) gracefulSuite(gen);
for (const gen of GENERATIONS) crashSuite(gen);
