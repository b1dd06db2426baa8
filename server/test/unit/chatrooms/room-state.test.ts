import { RoomState } from '../../../src/services/chatrooms/room-state';

const RULE = { offlineMs: 30_000, missedMessages: 30 };
const QUOTA = { windowMs: 200, high: 20, shared: 20 };

describe('chatroom room state: the auto-kick accounting', () => {
  it('removes a member offline for 30 s when a message arrives', () => {
    const room = new RoomState('app', 'r', QUOTA);
    room.addMember('u1', 0, false, 1000);
    expect(room.accountMessage(30_999, RULE)).toEqual([]);
    expect(room.accountMessage(31_000, RULE)).toEqual([{ userId: 'u1', reason: 'offline' }]);
  });

  it('removes a member offline while 30 messages arrive, and counts from the last time it went offline', () => {
    const room = new RoomState('app', 'r', QUOTA);
    room.addMember('u1', 0, true, 0);
    room.setOnline('u1', false, 100);
    for (let i = 0; i < 29; i++) expect(room.accountMessage(200, RULE)).toEqual([]);
    room.setOnline('u1', true, 300);
    room.setOnline('u1', false, 400);
    for (let i = 0; i < 29; i++) expect(room.accountMessage(500, RULE)).toEqual([]);
    expect(room.accountMessage(500, RULE)).toEqual([{ userId: 'u1', reason: 'missed' }]);
  });

  it('never removes online or whitelisted members', () => {
    const room = new RoomState('app', 'r', QUOTA);
    room.addMember('on', 0, true, 0);
    room.addMember('safe', 0, false, 0);
    room.protectedUsers.add('safe');
    for (let i = 0; i < 100; i++) expect(room.accountMessage(10 ** 9, RULE)).toEqual([]);
    expect(room.onlineMembers()).toEqual(['on']);
  });

  it('serializes work on the room in order, even when a step fails', async () => {
    const room = new RoomState('app', 'r', QUOTA);
    const order: number[] = [];
    const slow = room.run(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      order.push(1);
    });
    const failing = room.run(async () => {
      order.push(2);
      throw new Error('boom');
    });
    const last = room.run(async () => {
      order.push(3);
      return 'done';
    });
    await slow;
    await expect(failing).rejects.toThrow('boom');
    await expect(last).resolves.toBe('done');
    expect(order).toEqual([1, 2, 3]);
  });
});
