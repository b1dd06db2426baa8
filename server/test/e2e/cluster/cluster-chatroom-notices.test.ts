/**
 * Chatroom moderation notices across nodes (Server API `needNotify`, services/chatrooms/moderation-notices.ts): two
 * nodes on PostgreSQL + Redis, the Server API called on node 1, the room's members and the blocked user on node 2.
 * The members pull the notice after the room's `notify` signal; the blocked user, out of the room, gets it pushed
 * through its user topic.
 */
import { decodeByName, type PublishFrame } from '../../../../src/internal';
import type { RawClient } from '../../../../test/support/raw-client';
import type { TestApp } from '../../../../test/support/server-launcher';
import { drain, eventually, isPush, joinOk, text, uniqueId, type RoomPage } from '../chatroom-support';
import { clusterAvailable, skipClusterSuite, useCluster } from './cluster-support';

const APP: TestApp = { key: 'lxclnotice', secret: 'lxclnoticesecret', options: { maxSendRate: 1000 } };

if (!clusterAvailable()) {
  skipClusterSuite('cluster chatroom moderation notices');
} else {
  const suite = useCluster({ nodes: 2, database: 'chrmnotice', apps: [APP] });
  const connect = (i: number, userId: string): Promise<RawClient> => suite.connect(i, APP.key, userId);

  it('a gag and a block made on node 1 reach the members on node 2 (pulled) and the blocked user on node 2 (pushed)', async () => {
    const room = uniqueId('r');
    const [b, k] = [uniqueId('b'), uniqueId('k')];
    const here = await connect(0, uniqueId('h'));
    await joinOk(here, room);
    const cb = await connect(1, b);
    const ck = await connect(1, k);
    let cursor = await joinOk(cb, room);
    await joinOk(ck, room);
    const api = suite.cluster.api(0);
    const post = async (path: string, form: Record<string, string | number | string[]>): Promise<void> => {
      const res = await api.post<{ code: number }>(path, form);
      expect({ path, code: res.body.code }).toEqual({ path, code: 200 });
    };

    /** Pulls from the cursor until a message of `objectName` came (the notify signal crosses nodes). */
    const pullUntil = async (objectName: string): Promise<RoomPage['list']> => {
      const list: RoomPage['list'] = [];
      await eventually(async () => {
        const page = await drain(cb, room, cursor);
        cursor = page.cursor;
        list.push(...page.list);
        return list.some((m) => m.classname === objectName);
      }, 10_000, `${objectName} pulled on node 2`);
      return list;
    };

    await post('/chatroom/user/gag/add.json', { chatroomId: room, userId: k, minute: 1, needNotify: 'true', extra: 'x' });
    expect((await pullUntil('RC:ChrmBanMsg')).filter((m) => m.classname === 'RC:ChrmBanMsg').map((m) => JSON.parse(text(m.content)))).toEqual([
      { chatroomId: room, operateType: 1, durationTime: 60_000, operateTime: expect.any(Number), userList: [k], extra: 'x' },
    ]);

    await post('/chatroom/user/block/add.json', { chatroomId: room, userId: k, minute: 1, needNotify: 'true' });
    const frame = await ck.nextFrame<PublishFrame>((f) => isPush('s_msg')(f) && decodeByName('DownStreamMessage', (f as PublishFrame).payload).classname === 'RC:ChrmBlockMsg', 10_000);
    const pushed = decodeByName('DownStreamMessage', frame.payload);
    expect({ type: pushed.type, groupId: pushed.groupId }).toEqual({ type: 4, groupId: room });
    expect(JSON.parse(text(pushed.content))).toMatchObject({ chatroomId: room, operateType: 1, userList: [k] });
    expect((await pullUntil('RC:ChrmBlockMsg')).filter((m) => m.classname === 'RC:ChrmBlockMsg').map((m) => m.msgId)).toEqual([pushed.msgId]);
  });
}
