/**
 * RongCloud's own Node server SDK (`rongcloud-sdk@3.1.1`, SERVER_API.md §3) driving the real server: every SDK
 * call whose endpoint this server implements must answer `code: 200` with the documented fields. The SDK is
 * used unchanged — its process-wide nonce/timestamp reuse, form encoding, renames (`users` → `members` in Java
 * only, `errorMessage` → `msg`) and error mapping are exactly what an App Server gets.
 *
 * `Sensitive.*` is driven in server-api-sensitive-word.test.ts; `User.Tag.*`, `Push.*`, `Chatroom.Distribute.*`
 * and `Message.Discussion.*` (not supported: 1009) in server-api-push.test.ts. server-api-coverage.test.ts checks
 * that every SDK method is served or listed as unsupported (docs/server-api-coverage.md).
 */
import { createRequire } from 'node:module';
import { inflateRawSync } from 'node:zlib';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../../../test/support/server-launcher';

/** The part of the SDK's surface driven here (it ships no typings). */
type Call = (input?: unknown) => Promise<Record<string, unknown>>;
interface Listed {
  readonly add: Call;
  readonly remove: Call;
  readonly getList: Call;
}
interface Sdk {
  readonly User: { readonly register: Call; readonly update: Call; readonly Block: Listed; readonly Blacklist: Listed; readonly OnlineStatus: { readonly get: Call } };
  readonly Message: {
    readonly Private: { readonly send: Call; readonly sendTemplate: Call; readonly recall: Call };
    readonly System: { readonly send: Call; readonly broadcast: Call; readonly sendTemplate: Call };
    readonly Group: { readonly send: Call; readonly sendMention: Call; readonly recall: Call };
    readonly Chatroom: { readonly send: Call; readonly broadcast: Call };
    readonly History: { readonly get: Call; readonly remove: Call };
  };
  readonly Group: {
    readonly create: Call; readonly join: Call; readonly quit: Call; readonly dismiss: Call; readonly update: Call; readonly get: Call; readonly sync: Call;
    readonly Gag: Listed;
    readonly Mute: { readonly All: Listed; readonly Member: Listed; readonly Whitelist: Listed };
  };
  readonly Conversation: { readonly mute: Call; readonly unmute: Call };
  readonly Chatroom: {
    readonly create: Call; readonly destroy: Call; readonly get: Call; readonly isExist: Call;
    readonly Gag: Listed; readonly Ban: Listed; readonly Block: Listed; readonly KeepAlive: Listed; readonly Demotion: Listed;
    readonly Whitelist: { readonly User: Listed; readonly Message: Listed };
  };
}

const load = createRequire(__filename);
let server: RunningServer;
let rc: Sdk;
const clients: RawClient[] = [];
const tag = Date.now().toString(36);
const id = (name: string): string => `${name}${tag}`;
/** When the system notice was sent: its hour is the log package to download. */
let noticeSentAt = 0;

/** The SDK resolves errors as `{code, msg}`: everything here must be a success. */
async function ok(call: Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  const res = await call;
  expect(res).toMatchObject({ code: 200 });
  return res;
}

function hourOf(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}${two(d.getHours())}`;
}

/** The first entry of a ZIP (local header → raw deflate), enough to read our log packages. */
function firstZipEntry(zip: Buffer): string {
  expect(zip.readUInt32LE(0)).toBe(0x04034b50);
  const compressed = zip.readUInt32LE(18);
  const start = 30 + zip.readUInt16LE(26) + zip.readUInt16LE(28);
  return inflateRawSync(zip.subarray(start, start + compressed)).toString('utf8');
}

beforeAll(async () => {
  server = await startServer({ apps: [{ ...DEFAULT_TEST_APP, options: { multiDevice: true } }] });
  const init = load('rongcloud-sdk') as (config: { appkey: string; secret: string; api: string }) => Sdk;
  rc = init({ appkey: DEFAULT_TEST_APP.key, secret: DEFAULT_TEST_APP.secret, api: server.url });
});

afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.stop();
});

describe('rongcloud-sdk@3.1.1 against the server', () => {
  const [alice, bob, carol] = [id('alice'), id('bob'), id('carol')];

  it('User: register, update, online status, block and blacklist', async () => {
    const registered = await ok(rc.User.register({ id: alice, name: 'Alice', portrait: 'http://example.com/a.png' }));
    expect(registered).toMatchObject({ userId: alice, token: expect.any(String) });
    await ok(rc.User.register({ id: bob, name: 'Bob', portrait: 'http://example.com/b.png' }));
    await ok(rc.User.register({ id: carol, name: 'Carol', portrait: 'http://example.com/c.png' }));
    await ok(rc.User.update({ id: alice, name: 'Alice 2', portrait: 'http://example.com/a2.png' }));

    expect(await ok(rc.User.OnlineStatus.get({ id: alice }))).toMatchObject({ status: '0' });
    const client = await connectRaw({ url: server.url, appKey: DEFAULT_TEST_APP.key, token: String(registered['token']) });
    clients.push(client);
    expect(client.connack.status).toBe(0);
    expect(await ok(rc.User.OnlineStatus.get({ id: alice }))).toMatchObject({ status: '1' });

    await ok(rc.User.Block.add({ id: alice, minute: 10 }));
    await client.closed;
    const blocked = await ok(rc.User.Block.getList());
    expect(blocked['users']).toEqual(expect.arrayContaining([{ userId: alice, blockEndTime: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) }]));
    await ok(rc.User.Block.remove({ id: alice }));
    expect((await ok(rc.User.Block.getList()))['users']).not.toEqual(expect.arrayContaining([expect.objectContaining({ userId: alice })]));

    await ok(rc.User.Blacklist.add({ id: alice, blacklist: [{ id: bob }, { id: carol }] }));
    expect(await ok(rc.User.Blacklist.getList({ id: alice }))).toMatchObject({ users: [bob, carol].sort().map((u) => ({ id: u })) });
    await ok(rc.User.Blacklist.remove({ id: alice, blacklist: [{ id: carol }] }));
    expect(await ok(rc.User.Blacklist.getList({ id: alice }))).toMatchObject({ users: [{ id: bob }] });
    await ok(rc.User.Blacklist.remove({ id: alice, blacklist: [{ id: bob }] }));
  });

  it('Message: private, system, templates, broadcast and recall', async () => {
    const sent = await ok(rc.Message.Private.send({ senderId: alice, targetId: [bob, carol], objectName: 'RC:TxtMsg', content: { content: 'hi' }, pushContent: 'p', isIncludeSender: 1 }));
    expect(sent['messageUIDs']).toEqual([
      { userId: bob, messageUID: expect.stringMatching(/^[0-9A-V]{4}(-[0-9A-V]{4}){3}$/) },
      { userId: carol, messageUID: expect.any(String) },
    ]);
    const first = (sent['messageUIDs'] as { messageUID: string }[])[0]?.messageUID ?? '';
    await ok(rc.Message.Private.recall({ senderId: alice, targetId: bob, uId: first, sentTime: Date.now(), objectName: 'RC:RcCmd' }));

    noticeSentAt = Date.now();
    await ok(rc.Message.System.send({ senderId: alice, targetId: [bob], objectName: 'RC:TxtMsg', content: { content: 'notice' } }));
    const template = { content: '{greeting}, {name}!' };
    const tpl = await ok(rc.Message.Private.sendTemplate({
      senderId: alice,
      objectName: 'RC:TxtMsg',
      template,
      content: { [bob]: { data: { '{greeting}': 'Hello', '{name}': 'Bob' }, push: 'hi {name}' }, [carol]: { data: { '{greeting}': 'Hi', '{name}': 'Carol' }, push: 'hi {name}' } },
    }));
    expect((tpl['messageUIDs'] as unknown[]).length).toBe(2);
    await ok(rc.Message.System.sendTemplate({ senderId: alice, objectName: 'RC:TxtMsg', template, content: { [bob]: { data: { '{greeting}': 'Dear', '{name}': 'Bob' }, push: 'x' } } }));
    const broadcast = await ok(rc.Message.System.broadcast({ senderId: alice, objectName: 'RC:TxtMsg', content: { content: 'to everyone' } }));
    expect(broadcast['id']).toEqual(expect.any(String));
  });

  it('Message.History: the hour of these messages has a downloadable log package; remove deletes it', async () => {
    const date = hourOf(noticeSentAt);
    const res = await ok(rc.Message.History.get({ date }));
    expect(res).toMatchObject({ date, url: expect.stringContaining('/message-history/') });
    const download = await fetch(String(res['url']));
    expect(download.status).toBe(200);
    const lines = firstZipEntry(Buffer.from(await download.arrayBuffer())).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual(expect.arrayContaining([expect.objectContaining({ appId: DEFAULT_TEST_APP.key, fromUserId: alice, targetId: bob, classname: 'RC:TxtMsg', content: { content: 'notice' }, targetType: 6 })]));
    await ok(rc.Message.History.remove({ date }));
    expect(await ok(rc.Message.History.get({ date }))).toMatchObject({ url: '' });
    expect((await fetch(String(res['url']))).status).toBe(404);
  });

  it('Group: lifecycle, messages with mention and recall, gags, mutes and the mute whitelist', async () => {
    const group = id('g');
    await ok(rc.Group.create({ id: group, name: 'G', members: [{ id: alice }, { id: bob }] }));
    await ok(rc.Group.join({ id: group, name: 'G', member: { id: carol } }));
    await ok(rc.Group.update({ id: group, name: 'G2' }));
    await ok(rc.Group.sync({ id: carol, groups: [{ id: group, name: 'G2' }] }));
    const members = await ok(rc.Group.get({ id: group }));
    // The SDK renames `users` to `members`.
    expect((members['members'] as { id: string }[]).map((u) => u.id).sort()).toEqual([alice, bob, carol].sort());

    const sent = await ok(rc.Message.Group.send({ senderId: alice, targetId: group, objectName: 'RC:TxtMsg', content: { content: 'hello group' } }));
    expect(sent['messageUIDs']).toEqual([{ groupId: group, messageUID: expect.any(String) }]);
    await ok(rc.Message.Group.sendMention({ senderId: alice, targetId: group, objectName: 'RC:TxtMsg', content: { content: '@bob', mentionedInfo: { type: 2, userIds: [bob] } } }));
    const uid = (sent['messageUIDs'] as { messageUID: string }[])[0]?.messageUID ?? '';
    await ok(rc.Message.Group.recall({ senderId: alice, targetId: group, uId: uid, sentTime: Date.now(), objectName: 'RC:RcCmd' }));

    await ok(rc.Group.Gag.add({ id: group, members: [{ id: bob }], minute: 5 }));
    expect(JSON.stringify(await ok(rc.Group.Gag.getList({ id: group })))).toContain(bob);
    await ok(rc.Group.Gag.remove({ id: group, members: [{ id: bob }] }));
    await ok(rc.Group.Mute.Member.add({ id: group, members: [{ id: carol }], minute: 5 }));
    await ok(rc.Group.Mute.Member.getList({ id: group }));
    await ok(rc.Group.Mute.Member.remove({ id: group, members: [{ id: carol }] }));
    await ok(rc.Group.Mute.All.add({ groups: [{ id: group }] }));
    expect(JSON.stringify(await ok(rc.Group.Mute.All.getList()))).toContain(group);
    await ok(rc.Group.Mute.Whitelist.add({ id: group, members: [{ id: alice }] }));
    expect(await ok(rc.Group.Mute.Whitelist.getList({ id: group }))).toMatchObject({ id: group, members: [{ id: alice }] }); // the SDK reshapes `userIds`
    await ok(rc.Group.Mute.Whitelist.remove({ id: group, members: [{ id: alice }] }));
    await ok(rc.Group.Mute.All.remove({ groups: [{ id: group }] }));
    await ok(rc.Group.quit({ id: group, member: { id: carol } }));
    await ok(rc.Group.dismiss({ id: group, member: { id: alice } }));
  });

  it('Chatroom: rooms, messages, members, gags, bans, blocks, keepalive, priorities and whitelists', async () => {
    const room = id('room');
    await ok(rc.Chatroom.create([{ id: room, name: 'Room' }]));
    await ok(rc.Message.Chatroom.send({ senderId: alice, targetId: room, objectName: 'RC:TxtMsg', content: { content: 'in room' } }));
    await ok(rc.Message.Chatroom.broadcast({ senderId: alice, objectName: 'RC:TxtMsg', content: { content: 'all rooms' } }));
    expect(await ok(rc.Chatroom.get({ id: room, count: 10, order: 1 }))).toMatchObject({ total: 0 });
    expect(await ok(rc.Chatroom.isExist({ id: room, members: [{ id: bob }] }))).toMatchObject({ members: [{ id: bob, isInChrm: 0 }] });

    await ok(rc.Chatroom.Gag.add({ id: room, members: [{ id: bob }], minute: 5 }));
    expect(JSON.stringify(await ok(rc.Chatroom.Gag.getList({ id: room })))).toContain(bob);
    await ok(rc.Chatroom.Gag.remove({ id: room, members: [{ id: bob }] }));
    await ok(rc.Chatroom.Ban.add({ members: [{ id: carol }], minute: 5 }));
    expect(JSON.stringify(await ok(rc.Chatroom.Ban.getList()))).toContain(carol);
    await ok(rc.Chatroom.Ban.remove({ members: [{ id: carol }] }));
    await ok(rc.Chatroom.Block.add({ id: room, members: [{ id: bob }], minute: 5 }));
    expect(JSON.stringify(await ok(rc.Chatroom.Block.getList({ id: room })))).toContain(bob);
    await ok(rc.Chatroom.Block.remove({ id: room, members: [{ id: bob }] }));

    await ok(rc.Chatroom.KeepAlive.add({ id: room }));
    expect(JSON.stringify(await ok(rc.Chatroom.KeepAlive.getList()))).toContain(room);
    await ok(rc.Chatroom.KeepAlive.remove({ id: room }));
    await ok(rc.Chatroom.Demotion.add({ msgs: ['RC:InfoNtf'] }));
    expect(await ok(rc.Chatroom.Demotion.getList())).toMatchObject({ objectNames: ['RC:InfoNtf'] });
    await ok(rc.Chatroom.Demotion.remove({ msgs: ['RC:InfoNtf'] }));
    await ok(rc.Chatroom.Whitelist.User.add({ id: room, members: [{ id: alice }] }));
    expect(JSON.stringify(await ok(rc.Chatroom.Whitelist.User.getList({ id: room })))).toContain(alice);
    await ok(rc.Chatroom.Whitelist.User.remove({ id: room, members: [{ id: alice }] }));
    await ok(rc.Chatroom.Whitelist.Message.add({ msgs: ['RC:TxtMsg'] }));
    expect(await ok(rc.Chatroom.Whitelist.Message.getList())).toMatchObject({ objectNames: ['RC:TxtMsg'] }); // renamed from whitlistMsgType by the SDK
    await ok(rc.Chatroom.Whitelist.Message.remove({ msgs: ['RC:TxtMsg'] }));
    await ok(rc.Chatroom.destroy({ id: room }));
  });

  it('Conversation: mute and unmute', async () => {
    await ok(rc.Conversation.mute({ type: 'PRIVATE', targetId: bob, userId: alice }));
    await ok(rc.Conversation.unmute({ type: 'PRIVATE', targetId: bob, userId: alice }));
  });

  it('errors resolve with the documented code (the SDK maps 1002 and keeps its message)', async () => {
    const res = await rc.Message.History.get({ date: 'yesterday' });
    expect(res).toMatchObject({ code: 1002, msg: expect.stringContaining('YYYYMMDDHH') });
  });
});
