/**
 * Chatroom recall across nodes (chatroom-service.ts `recall`, room-signals.ts 'recall'): two nodes on PostgreSQL +
 * Redis, members of the room on node 2, the sender on node 1 (or 2). Node 2 keeps a shared page of the room (a
 * truncated `chrmPull` page: more than a page behind, which survives the `notify` of later messages and is dropped
 * only by a clear). The recall is made on node 1 — by the sender's client, or through node 1's Server API, with or
 * without a member of the room on node 1 — and node 2 must drop that page on the 'recall' signal: its members'
 * pulls from the same cursor, a joiner's history and `qryCHMsg` no longer carry the message, and its members get
 * the RC:RcCmd. A history clean of the room (Server API `conversation/message/history/clean`, conversationType 4)
 * through node 1 drops node 2's pages the same way (the same signal, without a uid).
 */
import { decodeByName, encodeByName } from '../../../../src/internal';
import type { RawClient } from '../../../../test/support/raw-client';
import type { TestApp } from '../../../../test/support/server-launcher';
import { drain, eventually, joinOk, pull, send, text, uniqueId, up, type RoomPage } from '../chatroom-support';
import { clusterAvailable, skipClusterSuite, useCluster } from './cluster-support';

const APP: TestApp = { key: 'lxclrecall', secret: 'lxclrecallsecret', options: { maxSendRate: 1000, chrmQuotaHigh: 100000 } };
/** More than one pull page (PULL_PAGE_SIZE 100) after the members' cursor. */
const SENT = 110;
/** In the first page after the cursor and in a joiner's history (the latest 50). */
const TARGET = 70;

type Sent = { uid: string; sentTime: number };
const sentTimeOf = (ack: { date?: number | null; millisecond?: number | null }): number => (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);
const uids = (list: RoomPage['list']): string[] => list.map((m) => m.msgId ?? '');
const bodies = (list: RoomPage['list']): string[] => list.map((m) => text(m.content));

if (!clusterAvailable()) {
  skipClusterSuite('cluster chatroom recall');
} else {
  const suite = useCluster({ nodes: 2, database: 'chrmrecall', apps: [APP] });
  const connect = (i: number, userId: string): Promise<RawClient> => suite.connect(i, APP.key, userId);

  async function sendOk(client: RawClient, roomId: string, content: string): Promise<Sent> {
    const ack = await send(client, roomId, 'RC:TxtMsg', { content });
    if (ack.status !== 0 || ack.messageUId === undefined) throw new Error(`send ${content}: status ${ack.status}`);
    return { uid: ack.messageUId, sentTime: sentTimeOf(ack) };
  }

  async function roomHistory(client: RawClient, roomId: string): Promise<RoomPage['list']> {
    const ack = await client.query('qryCHMsg', roomId, encodeByName('HistoryMsgInput', { targetId: roomId, time: 0, count: 100, order: 0 }));
    if (ack.status !== 0) throw new Error(`qryCHMsg: status ${ack.status}`);
    return decodeByName('HistoryMsgOuput', ack.payload).list;
  }

  /**
   * The sender on node `senderNode` (1 unless told), two members on node 2; SENT messages; node 2 caches the
   * truncated first page after the members' cursor (it holds the target) and member b has pulled everything. Then
   * `recall` (made on node 1), and what node 2 serves afterwards.
   */
  async function recallAcrossNodes(recall: (sender: RawClient, roomId: string, message: Sent) => Promise<void>, senderNode = 0): Promise<void> {
    const room = uniqueId('r');
    const a = uniqueId('a');
    const ca = await connect(senderNode, a);
    const [cb, cc] = [await connect(1, uniqueId('b')), await connect(1, uniqueId('c'))];
    await joinOk(ca, room);
    const cursor = await joinOk(cb, room);
    await joinOk(cc, room);
    const sent: Sent[] = [];
    for (let i = 0; i < SENT; i++) sent.push(await sendOk(ca, room, `m${i}`));
    const target = sent[TARGET] as Sent;

    // Node 2 reads the first page after the cursor once and keeps it (truncated: more follow).
    const first = await pull(cb, room, cursor, 10);
    expect(first.finished).toBe(false);
    expect(uids(first.list)).toEqual(sent.slice(0, 100).map((m) => m.uid));
    const seen = await drain(cb, room, first.syncTime);
    expect(uids(seen.list)).toEqual(sent.slice(100).map((m) => m.uid));
    // Served from node 2's page to another member: the same page.
    expect(uids((await pull(cc, room, cursor, 10)).list)).toContain(target.uid);

    await recall(ca, room, target);

    // The RC:RcCmd reaches b on node 2 (its notify signal follows the recall signal on the room topic).
    let command: RoomPage['list'][number] | undefined;
    await eventually(async () => {
      command = (await drain(cb, room, seen.cursor)).list.find((m) => m.classname === 'RC:RcCmd');
      return command !== undefined;
    }, 10_000, 'RC:RcCmd pulled on node 2');
    expect(command?.fromUserId).toBe(a);
    expect(JSON.parse(text(command?.content ?? new Uint8Array()))).toMatchObject({ conversationType: 4, targetId: room, messageUId: target.uid });

    // The page node 2 kept for the old cursor is gone: pulls from it skip the recalled message.
    const again = await pull(cc, room, cursor, 10);
    expect(again.finished).toBe(false);
    expect(uids(again.list)).not.toContain(target.uid);
    expect(uids(again.list)[0]).toBe(sent[0]?.uid);
    const all = await drain(cc, room, cursor);
    expect(uids(all.list)).not.toContain(target.uid);
    expect(all.list.filter((m) => m.classname === 'RC:TxtMsg')).toHaveLength(SENT - 1);
    expect(all.list[all.list.length - 1]?.classname).toBe('RC:RcCmd');

    // A member joining on node 2: its join history and qryCHMsg keep the rest without the recalled message.
    const cd = await connect(1, uniqueId('d'));
    await joinOk(cd, room);
    const joined = await pull(cd, room, 0, 50);
    expect(joined.status).toBe(0);
    expect(uids(joined.list)).toContain(sent[SENT - 1]?.uid);
    expect(uids(joined.list)).not.toContain(target.uid);
    expect(bodies(joined.list).some((b) => b.includes(`m${TARGET}"`))).toBe(false);
    const history = await roomHistory(cd, room);
    expect(uids(history)).toContain(sent[TARGET + 1]?.uid);
    expect(uids(history)).not.toContain(target.uid);
    expect(bodies(history).some((b) => b.includes(`m${TARGET}"`))).toBe(false);
  }

  describe('cluster: chatroom recall on another node', () => {
    it('a client recall on node 1 clears the pages node 2 kept; node 2 members get the RC:RcCmd', async () => {
      await recallAcrossNodes(async (sender, roomId, message) => {
        const command = { conversationType: 4, targetId: roomId, messageUId: message.uid, sentTime: message.sentTime };
        const ack = await sender.publish('recallMsg', sender.connack.userId ?? '', up('RC:RcCmd', command, 0));
        expect(ack.status).toBe(0);
      });
    });

    it('a Server API recall through node 1 clears the pages node 2 kept; node 2 members get the RC:RcCmd', async () => {
      await recallAcrossNodes(async (sender, roomId, message) => {
        const res = await suite.cluster.api(0).post('message/recall', {
          fromUserId: sender.connack.userId ?? '', conversationType: 4, targetId: roomId, messageUID: message.uid, sentTime: message.sentTime,
        });
        expect({ status: res.status, code: res.body['code'] }).toEqual({ status: 200, code: 200 });
      });
    });

    it('a Server API recall through node 1, where no member of the room is, reaches the room on node 2', async () => {
      await recallAcrossNodes(async (sender, roomId, message) => {
        const res = await suite.cluster.api(0).post('message/recall', {
          fromUserId: sender.connack.userId ?? '', conversationType: 4, targetId: roomId, messageUID: message.uid, sentTime: message.sentTime,
        });
        expect({ status: res.status, code: res.body['code'] }).toEqual({ status: 200, code: 200 });
      }, 1);
    });
  });

  describe('cluster: chatroom history clean on another node', () => {
    it('a Server API history clean through node 1, where no member of the room is, clears the pages node 2 kept', async () => {
      const room = uniqueId('r');
      const ca = await connect(1, uniqueId('a'));
      const [cb, cc] = [await connect(1, uniqueId('b')), await connect(1, uniqueId('c'))];
      await joinOk(ca, room);
      const cursor = await joinOk(cb, room);
      await joinOk(cc, room);
      const sent: Sent[] = [];
      for (let i = 0; i < SENT; i++) sent.push(await sendOk(ca, room, `m${i}`));
      // Node 2 keeps the truncated first page after the cursor and the complete rest.
      const first = await pull(cb, room, cursor, 10);
      expect(first.finished).toBe(false);
      await drain(cb, room, first.syncTime);
      expect(uids((await pull(cc, room, cursor, 10)).list)).toEqual(sent.slice(0, 100).map((m) => m.uid));

      const res = await suite.cluster.api(0).post('conversation/message/history/clean', {
        conversationType: 4, fromUserId: uniqueId('operator'), targetId: room, msgTimestamp: (sent[TARGET] as Sent).sentTime,
      });
      expect({ status: res.status, code: res.body['code'] }).toEqual({ status: 200, code: 200 });

      // Node 2 drops its pages on the signal (kept, they would be served for 30 s): pulls from the old cursor start
      // after the cleared messages; a joiner's history and qryCHMsg there hold the rest only.
      const rest = sent.slice(TARGET + 1).map((m) => m.uid);
      await eventually(async () => uids((await pull(cc, room, cursor, 10)).list)[0] === rest[0], 5_000, 'node 2 pulls without the cleared messages');
      expect(uids((await drain(cc, room, cursor)).list)).toEqual(rest);
      const cd = await connect(1, uniqueId('d'));
      await joinOk(cd, room);
      expect(uids((await pull(cd, room, 0, 50)).list)).toEqual(rest);
      expect(uids(await roomHistory(cd, room)).reverse()).toEqual(rest);
    });
  });
}
