/**
 * Crash safety (issue #13, single node, SQLite): the real server process is SIGKILLed several times
 * while raw CMP senders publish private messages, and restarted on the same data directory. Every
 * message the server PUBACKed must afterwards be delivered to its recipient exactly once and in the
 * per-conversation send order — both through the incremental sync cursor a client keeps across the
 * crashes and through a full re-sync from 0. Messages that were sent but never acked may or may not
 * exist (the client never learned their fate), but none may appear twice. Every restart after a kill -9
 * is also a start on a data directory whose lock the dead holder still named (the kernel dropped it).
 * Then App Server routing across a crash: every PUBACKed client message is routed at least once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeByName, encodeByName } from '../../../src/internal';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { serverApi } from '../../../test/support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../../../test/support/server-launcher';
import { AppServerReceiver } from './app-server-receiver';
import { connectUser, tokenFor, uniqueId, upstream, waitFor } from './e2e-support';

jest.setTimeout(180_000);

const APP = { ...DEFAULT_TEST_APP, options: { maxSendRate: 100_000 } };
const SENDERS = 4;
const RECIPIENTS = 2;
const KILLS = 4;
/** Load time between two kills (the server is killed in the middle of publishing). */
const LOAD_MS = 1_500;
const PUBACK_TIMEOUT_MS = 3_000;
/** Each sender stops after this many messages even if the run is still going (bounds the test). */
const MAX_PER_SENDER = 3_000;

interface SentRecord {
  readonly sender: string;
  readonly recipient: string;
  readonly seq: number;
  acked: boolean;
}

const key = (sender: string, seq: number): string => `${sender}#${seq}`;

/** Resolves with the PUBACK status, or undefined when the connection died before it arrived. */
async function publishOnce(client: RawClient, recipient: string, body: string): Promise<number | undefined> {
  if (client.isClosed) return undefined;
  try {
    const ack = await Promise.race([
      client.publish('ppMsgP', recipient, upstream('RC:TxtMsg', { content: body }), { timeoutMs: PUBACK_TIMEOUT_MS }),
      client.closed.then(() => undefined),
    ]);
    return ack?.status;
  } catch {
    return undefined;
  }
}

/** Pages pullMsg from `cursor` until finished; returns the bodies in delivery order and the new cursor. */
async function pullAll(client: RawClient, cursor: number): Promise<{ bodies: { from: string; body: string }[]; cursor: number }> {
  const bodies: { from: string; body: string }[] = [];
  let syncTime = cursor;
  for (let page = 0; page < 500; page++) {
    const ack = await client.query('pullMsg', client.connack.userId ?? '', encodeByName('SyncRequestMsg', { syncTime, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 }), { timeoutMs: 10_000 });
    if (ack.status !== 0) throw new Error(`pullMsg status ${ack.status}`);
    const result = decodeByName('DownStreamMessages', ack.payload);
    for (const m of result.list) {
      if (m.classname !== 'RC:TxtMsg') continue;
      const parsed = JSON.parse(Buffer.from(m.content).toString('utf8')) as { content: string };
      bodies.push({ from: m.fromUserId, body: parsed.content });
    }
    syncTime = Math.max(syncTime, result.syncTime);
    if (result.finished) return { bodies, cursor: syncTime };
  }
  throw new Error('pullMsg did not finish within 500 pages');
}

describe('crash safety under kill -9', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lianxin-crash-'));
  let server: RunningServer | undefined;
  const clients: RawClient[] = [];

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses, duplicates and reorders no PUBACKed private message across repeated crashes', async () => {
    server = await startServer({ apps: [APP], dataDir });
    const senders = Array.from({ length: SENDERS }, () => uniqueId('cs'));
    const recipients = Array.from({ length: RECIPIENTS }, () => uniqueId('cr'));
    // Tokens are HMAC-signed with the app secret: they stay valid across restarts.
    const api = serverApi(server.url, APP.key, APP.secret);
    const tokens = new Map<string, string>();
    for (const user of [...senders, ...recipients]) tokens.set(user, await tokenFor(api, user));

    const sent: SentRecord[] = [];
    const nextSeq = new Map<string, number>(senders.map((s) => [s, 0]));
    const cursors = new Map<string, number>(recipients.map((r) => [r, 0]));
    const incremental = new Map<string, { from: string; body: string }[]>(recipients.map((r) => [r, []]));

    const connect = async (url: string, user: string): Promise<RawClient> => {
      const client = await connectRaw({ url, appKey: APP.key, token: tokens.get(user) ?? '' });
      if (client.connack.status !== 0) throw new Error(`connect ${user}: status ${client.connack.status}`);
      clients.push(client);
      return client;
    };

    /** One sender: sequential publishes until `stopAt` or its connection dies. */
    const runSender = async (client: RawClient, sender: string, stopAt: number): Promise<void> => {
      for (let i = 0; i < MAX_PER_SENDER && Date.now() < stopAt; i++) {
        const seq = nextSeq.get(sender) ?? 0;
        if (seq >= MAX_PER_SENDER) return;
        nextSeq.set(sender, seq + 1);
        const recipient = recipients[seq % RECIPIENTS] as string;
        const record: SentRecord = { sender, recipient, seq, acked: false };
        sent.push(record);
        const status = await publishOnce(client, recipient, key(sender, seq));
        if (status === undefined) return;
        if (status !== 0) throw new Error(`publish ${key(sender, seq)} rejected with ${status}`);
        record.acked = true;
      }
    };

    /** Incremental sync through the cursor a real client keeps across crashes. */
    const syncRecipients = async (url: string): Promise<void> => {
      for (const recipient of recipients) {
        const client = await connect(url, recipient);
        const { bodies, cursor } = await pullAll(client, cursors.get(recipient) ?? 0);
        incremental.get(recipient)?.push(...bodies);
        cursors.set(recipient, cursor);
        await client.close();
      }
    };

    const kills: number[] = [];
    for (let round = 0; round <= KILLS; round++) {
      const current: RunningServer = server;
      const senderClients = await Promise.all(senders.map((s) => connect(current.url, s)));
      await syncRecipients(current.url);
      const stopAt = Date.now() + LOAD_MS * 2;
      const load = Promise.all(senderClients.map((c, i) => runSender(c, senders[i] as string, stopAt)));
      if (round === KILLS) {
        await load;
        break;
      }
      // Kill while publishes are in flight, then restart on the same data directory.
      await new Promise((resolve) => setTimeout(resolve, LOAD_MS));
      current.kill9();
      const exit = await current.exited;
      kills.push(Date.now());
      expect(exit.signal).toBe('SIGKILL');
      await load;
      await Promise.all(senderClients.map((c) => c.closed));
      server = await startServer({ apps: [APP], dataDir });
    }

    // After the last restart every recipient catches up incrementally, then re-syncs from 0.
    await syncRecipients(server.url);
    const full = new Map<string, { from: string; body: string }[]>();
    for (const recipient of recipients) {
      const client = await connect(server.url, recipient);
      full.set(recipient, (await pullAll(client, 0)).bodies);
      await client.close();
    }

    const ackedKeys = new Set(sent.filter((r) => r.acked).map((r) => key(r.sender, r.seq)));
    const count = (view: Map<string, { from: string; body: string }[]>) => {
      let delivered = 0;
      let lost = 0;
      let duplicated = 0;
      let reordered = 0;
      let foreign = 0;
      for (const recipient of recipients) {
        const got = view.get(recipient) ?? [];
        const seen = new Map<string, number>();
        const lastSeq = new Map<string, number>();
        for (const { from, body } of got) {
          const [sender, seqText] = body.split('#');
          if (sender !== from || seqText === undefined) {
            foreign++;
            continue;
          }
          seen.set(body, (seen.get(body) ?? 0) + 1);
          const seq = Number(seqText);
          if (seq <= (lastSeq.get(sender) ?? -1)) reordered++;
          lastSeq.set(sender, seq);
        }
        for (const [body, times] of seen) {
          delivered++;
          if (times > 1) duplicated += times - 1;
          void body;
        }
        for (const r of sent) {
          if (r.acked && r.recipient === recipient && !seen.has(key(r.sender, r.seq))) lost++;
        }
      }
      return { delivered, lost, duplicated, reordered, foreign };
    };
    const inc = count(incremental);
    const fromZero = count(full);
    const summary = { kills: kills.length, sent: sent.length, acked: ackedKeys.size, incremental: inc, fullResync: fromZero };
    process.stdout.write(`crash-safety: ${JSON.stringify(summary)}\n`);

    expect(kills).toHaveLength(KILLS);
    expect(ackedKeys.size).toBeGreaterThan(KILLS * SENDERS);
    for (const view of [inc, fromZero]) {
      expect(view.lost).toBe(0);
      expect(view.duplicated).toBe(0);
      expect(view.reordered).toBe(0);
      expect(view.foreign).toBe(0);
      // Delivered = acked + those whose PUBACK the crash swallowed (stored, never confirmed).
      expect(view.delivered).toBeGreaterThanOrEqual(ackedKeys.size);
      expect(view.delivered).toBeLessThanOrEqual(sent.length);
    }
  });
});

describe('App Server routing across kill -9', () => {
  const ROUTED = { key: 'lxcrashroute', secret: 'lxcrashroutesecret' };
  let down = true;
  const receiver = new AppServerReceiver({ [ROUTED.key]: ROUTED.secret }, (r) => (r.path === '/route' && down ? { status: 503 } : undefined));
  const dataDir = mkdtempSync(join(tmpdir(), 'lianxin-crashroute-'));
  const servers: RunningServer[] = [];
  const clients: RawClient[] = [];
  const routedUids = (): Set<string> => new Set(receiver.on('/route').map((r) => new URLSearchParams(r.body).get('msgUID') ?? ''));

  beforeAll(async () => {
    await receiver.start();
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
    await receiver.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('every PUBACKed client message is routed at least once after SIGKILL during a burst and a restart', async () => {
    const app = { ...ROUTED, options: { messageRouteUrl: receiver.encodedUrl('/route'), callbackRetryMs: 100, callbackRetryMaxMs: 300, maxSendRate: 100_000 } };
    const first = await startServer({ apps: [app], dataDir });
    servers.push(first);
    const api = serverApi(first.url, ROUTED.key, ROUTED.secret);
    const senders = await Promise.all([0, 1, 2].map(() => connectUser(first.url, ROUTED.key, api, uniqueId('s'), clients)));
    const target = uniqueId('t');
    const acked: string[] = [];
    let running = true;
    const loops = senders.map(async (c, n) => {
      for (let i = 0; i < 2000 && running && !c.isClosed; i++) {
        try {
          const ack = await Promise.race([c.publish('ppMsgP', target, upstream('RC:TxtMsg', { content: `crash ${n} ${i}` }), { timeoutMs: 3000 }), c.closed.then(() => undefined)]);
          if (ack?.status === 0) acked.push(ack.messageUId ?? '');
        } catch {
          return;
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    first.kill9();
    running = false;
    await first.exited;
    await Promise.all(loops);
    expect(acked.length).toBeGreaterThan(10);
    down = false;
    servers.push(await startServer({ apps: [app], dataDir }));
    await waitFor(() => { const got = routedUids(); return acked.every((u) => got.has(u)); }, 30_000, 'every acked message routed').catch(() => undefined);
    const got = routedUids();
    expect({ acked: acked.length, missing: acked.filter((u) => !got.has(u)).length }).toEqual({ acked: acked.length, missing: 0 });
  });
});
