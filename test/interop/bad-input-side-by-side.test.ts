/**
 * Bad and edge input, method by method, side by side with the official RongIMLib 2.9.2 (engine 4.4.2):
 * both clients get the same wrong types, empty strings, ids at/past the documented limits, out-of-range
 * counts, unknown conversation types, missing/non-object callbacks, calls before connect and after
 * disconnect. Each call's outcome is reduced to one of
 *   ok:<value kind> | err:<code> | throw | none (no callback within the bound) | ret:<sync return>
 * and compared. Where 2.9.2 throws an RCAssertError for a wrong argument, API_CHECKLIST "Decisions" wants
 * onError(33003) (never an exception) — that is the target for ours, not the throw.
 */
import { randomBytes } from 'node:crypto';
import { ConversationType, TextMessage } from '../../src/index';
import { sdkUser } from '../e2e/sdk-api-support';
import type { SdkUser } from '../e2e/sdk-api-support';
import { DEFAULT_TEST_APP } from '../support/server-launcher';
import type { TestApp } from '../support/server-launcher';
import { delay, MULTI_DEVICE_APP, useInteropServer } from '../support/official-client/interop-fixture';
import type { OfficialClient } from '../support/official-client/launch-official-client';
import type { CallResult as OfficialResult, OfficialMessage } from '../support/official-client/official-message';
import { serverApi } from '../support/server-api-client';

const { PRIVATE, GROUP, CHATROOM, SYSTEM } = ConversationType;
/** An app that keeps no chatroom history (the server answers 23414). */
const NO_ROOM_HISTORY: TestApp = { key: 'lxbadinputnohist', secret: 'lxbadinputnohistsecret', options: { chrmHistory: 0 } };
const fx = useInteropServer([DEFAULT_TEST_APP, MULTI_DEVICE_APP, NO_ROOM_HISTORY]);
const sdkUsers: SdkUser[] = [];
afterEach(async () => {
  for (const user of sdkUsers.splice(0)) await user.im.disconnect();
});

/** Marks the callback's position in a probe's arguments. */
const CB = Symbol('callback');
const WAIT_MS = 3_000;

/** What one side needs to build a probe's arguments (its own messages differ per side). */
interface Side {
  readonly name: 'official' | 'ours';
  /** A message this side sent with canIncludeExpansion: true. */
  readonly expMsg: Record<string, unknown>;
  /** A message this side sent without the flag. */
  readonly plainMsg: Record<string, unknown>;
}

interface Env {
  readonly peer: string;
  readonly groupId: string;
  readonly room: string;
  readonly tag: string;
}

type Args = readonly unknown[] | ((side: Side, env: Env) => readonly unknown[]);
interface Probe {
  readonly name: string;
  readonly method: string;
  readonly args: Args;
}

/** The outcome reduced to what an app branches on. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function buildOurs(spec: unknown): unknown {
  if (typeof spec === 'object' && spec !== null && (spec as { className?: unknown }).className === 'TextMessage') return new TextMessage((spec as { content: never }).content);
  return spec;
}

async function runOurs(im: unknown, method: string, args: readonly unknown[]): Promise<string> {
  const fn = (im as Record<string, unknown>)[method];
  if (typeof fn !== 'function') return 'missing';
  const hasCb = args.includes(CB);
  return new Promise<string>((resolve) => {
    let done = false;
    const settle = (s: string): void => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        resolve(s);
      }
    };
    const timer = setTimeout(() => settle('none'), WAIT_MS);
    const cb = { onSuccess: (v: unknown) => settle(`ok:${kindOf(v)}`), onError: (code: unknown) => settle(`err:${String(code)}`) };
    try {
      const built = args.map((a, i) => (a === CB ? cb : i === 2 && method === 'sendMessage' ? buildOurs(a) : a));
      const ret = (fn as (...a: unknown[]) => unknown).apply(im, built);
      if (!hasCb) {
        if (ret && typeof (ret as Promise<unknown>).then === 'function') {
          (ret as Promise<unknown>).then((v) => settle(`ret:${kindOf(v)}`), () => settle('throw'));
        } else settle(`ret:${kindOf(ret)}:${typeof ret === 'object' ? '' : String(ret)}`);
      }
    } catch {
      settle('throw');
    }
  });
}

async function runOfficial(client: OfficialClient, method: string, args: readonly unknown[]): Promise<string> {
  const hasCb = args.includes(CB);
  try {
    if (!hasCb) {
      const r = await client.callSync(method, ...args);
      if (r.ok) return `ret:${kindOf(r.value)}:${typeof r.value === 'object' ? '' : String(r.value)}`;
      return r.thrown?.startsWith('no instance method') ? 'missing' : 'throw';
    }
    const r: OfficialResult = await client.callWithin(WAIT_MS, method, ...args.map((a) => (a === CB ? '$callback' : a)));
    if (r.ok) return `ok:${kindOf(r.value)}`;
    if (r.thrown !== undefined) return r.thrown.startsWith('no instance method') ? 'missing' : 'throw';
    return `err:${String(r.code)}`;
  } catch {
    return 'none';
  }
}

/** One probe's outcome on each side: ok:<kind of onSuccess's value>, err:<code>, throw, none, ret:<kind>:<value>. */
interface Row {
  readonly name: string;
  readonly official: string;
  readonly ours: string;
}

async function runProbes(probes: readonly Probe[], official: OfficialClient, ours: unknown, sides: { official: Side; ours: Side }, env: Env): Promise<Row[]> {
  const rows: Row[] = [];
  // Bounded batches: each probe waits at most WAIT_MS on each side.
  for (let i = 0; i < probes.length; i += 6) {
    const batch = probes.slice(i, i + 6);
    const got = await Promise.all(
      batch.map(async (p) => {
        const argsOf = (side: Side): readonly unknown[] => (typeof p.args === 'function' ? p.args(side, env) : p.args);
        const [o, u] = await Promise.all([runOfficial(official, p.method, argsOf(sides.official)), runOurs(ours, p.method, argsOf(sides.ours))]);
        return { name: p.name, official: o, ours: u };
      }),
    );
    rows.push(...got);
  }
  return rows;
}


const S = (n: number, c = 'a'): string => c.repeat(n);
const text = (content = 'x'): unknown => ({ className: 'TextMessage', content: { content } });

/** Both online, a peer, a group of all three, a joined room, one expansion message and one plain message per side. */
async function setup(): Promise<{ official: OfficialClient; officialId: string; ours: SdkUser; sides: { official: Side; ours: Side }; env: Env }> {
  const official = await fx.online('official');
  const ours = await sdkUser(fx.server, DEFAULT_TEST_APP, 'ours');
  sdkUsers.push(ours);
  await ours.connect();
  const peer = fx.newUserId('peer');
  await fx.tokenFor(peer);
  const groupId = `g${randomBytes(6).toString('hex')}`;
  const api = serverApi(fx.server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
  expect((await api.post('/group/create.json', { userId: [official.userId, ours.userId, peer], groupId, groupName: 'bad input' })).body).toMatchObject({ code: 200 });
  const room = `r${randomBytes(6).toString('hex')}`;
  expect((await official.client.call('joinChatRoom', room, 10)).ok).toBe(true);
  expect(await ourCall(ours, 'joinChatRoom', room, 10, CB)).toBe('ok:undefined');
  const tag = `t${randomBytes(3).toString('hex')}`;
  const sendOfficial = async (config?: unknown): Promise<OfficialMessage> => {
    const r = await official.client.sendMessage(PRIVATE, peer, text('o') as never, false, null, null, null, config);
    if (!r.ok) throw new Error(`official send failed ${r.code}`);
    return r.value;
  };
  const sendOurs = (config?: unknown): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      ours.im.sendMessage(PRIVATE, peer, new TextMessage({ content: 'u' }), { onSuccess: (m) => resolve(JSON.parse(JSON.stringify(m)) as Record<string, unknown>), onError: (c) => reject(new Error(`ours send failed ${c}`)) }, false, null, null, null, config);
    });
  const sides = {
    official: { name: 'official' as const, expMsg: await sendOfficial({ canIncludeExpansion: true }), plainMsg: await sendOfficial() },
    ours: { name: 'ours' as const, expMsg: await sendOurs({ canIncludeExpansion: true }), plainMsg: await sendOurs() },
  };
  return { official: official.client, officialId: official.userId, ours, sides, env: { peer, groupId, room, tag } };
}

function ourCall(user: SdkUser, method: string, ...args: unknown[]): Promise<string> {
  return runOurs(user.im, method, args);
}

// ------------------------------------------------------------------------------------------------ probes
const conv = (env: Env): { type: number; targetId: string } => ({ type: PRIVATE, targetId: env.peer });
const manyKeys = (n: number): Record<string, string> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));

export const PROBES: Probe[] = [
  // conversations
  { name: 'getConversationList types "x"', method: 'getConversationList', args: [CB, 'x'] },
  { name: 'getConversationList types [99]', method: 'getConversationList', args: [CB, [99]] },
  { name: 'getConversationList count 0', method: 'getConversationList', args: [CB, null, 0] },
  { name: 'getConversationList count -1', method: 'getConversationList', args: [CB, null, -1] },
  { name: 'getConversationList count "5"', method: 'getConversationList', args: [CB, null, '5'] },
  { name: 'getConversationList count 1.5', method: 'getConversationList', args: [CB, null, 1.5] },
  { name: 'getConversationList types []', method: 'getConversationList', args: [CB, []] },
  { name: 'getConversationList count 100000', method: 'getConversationList', args: [CB, null, 100000] },
  { name: 'getConversation targetId ""', method: 'getConversation', args: [PRIVATE, '', CB] },
  { name: 'getConversation targetId 123', method: 'getConversation', args: [PRIVATE, 123, CB] },
  { name: 'getConversation type 99', method: 'getConversation', args: (_s, e) => [99, e.peer, CB] },
  { name: 'getConversation type "1"', method: 'getConversation', args: (_s, e) => ['1', e.peer, CB] },
  { name: 'getConversation type null', method: 'getConversation', args: (_s, e) => [null, e.peer, CB] },
  { name: 'removeConversation targetId ""', method: 'removeConversation', args: [PRIVATE, '', CB] },
  { name: 'removeConversation type 99', method: 'removeConversation', args: (_s, e) => [99, e.peer, CB] },
  { name: 'removeConversation never existed', method: 'removeConversation', args: [PRIVATE, 'nobody-ever', CB] },
  { name: 'setConversationStatus {}', method: 'setConversationStatus', args: (_s, e) => [PRIVATE, e.peer, {}, CB] },
  { name: 'setConversationStatus null', method: 'setConversationStatus', args: (_s, e) => [PRIVATE, e.peer, null, CB] },
  { name: 'setConversationStatus isTop "yes"', method: 'setConversationStatus', args: (_s, e) => [PRIVATE, e.peer, { isTop: 'yes' }, CB] },
  { name: 'setConversationStatus notificationStatus 3', method: 'setConversationStatus', args: (_s, e) => [PRIVATE, e.peer, { notificationStatus: 3 }, CB] },
  { name: 'setConversationStatus notificationStatus 0', method: 'setConversationStatus', args: (_s, e) => [PRIVATE, e.peer, { notificationStatus: 0 }, CB] },
  { name: 'setConversationStatus type 99', method: 'setConversationStatus', args: (_s, e) => [99, e.peer, { isTop: true }, CB] },
  { name: 'setConversationStatus targetId ""', method: 'setConversationStatus', args: [PRIVATE, '', { isTop: true }, CB] },
  // unread
  { name: 'getTotalUnreadCount types "x"', method: 'getTotalUnreadCount', args: [CB, 'x'] },
  { name: 'getTotalUnreadCount types [99]', method: 'getTotalUnreadCount', args: [CB, [99]] },
  { name: 'getTotalUnreadCount includeMuted "yes"', method: 'getTotalUnreadCount', args: [CB, [1], 'yes'] },
  { name: 'getTotalUnreadCount types []', method: 'getTotalUnreadCount', args: [CB, []] },
  { name: 'getUnreadCount targetId ""', method: 'getUnreadCount', args: [PRIVATE, '', CB] },
  { name: 'getUnreadCount type 99', method: 'getUnreadCount', args: (_s, e) => [99, e.peer, CB] },
  { name: 'getUnreadCount targetId 123', method: 'getUnreadCount', args: [PRIVATE, 123, CB] },
  { name: 'getUnreadCount chatroom', method: 'getUnreadCount', args: (_s, e) => [CHATROOM, e.room, CB] },
  { name: 'clearUnreadCount targetId ""', method: 'clearUnreadCount', args: [PRIVATE, '', CB] },
  { name: 'clearUnreadCount type 99', method: 'clearUnreadCount', args: (_s, e) => [99, e.peer, CB] },
  { name: 'clearUnreadCount targetId null', method: 'clearUnreadCount', args: [PRIVATE, null, CB] },
  // drafts (sync)
  { name: 'saveTextMessageDraft text 123', method: 'saveTextMessageDraft', args: (_s, e) => [PRIVATE, e.peer, 123] },
  { name: 'saveTextMessageDraft targetId ""', method: 'saveTextMessageDraft', args: [PRIVATE, '', 'd'] },
  { name: 'saveTextMessageDraft type 99', method: 'saveTextMessageDraft', args: (_s, e) => [99, e.peer, 'd'] },
  { name: 'saveTextMessageDraft text ""', method: 'saveTextMessageDraft', args: (_s, e) => [PRIVATE, e.peer, ''] },
  { name: 'saveTextMessageDraft text null', method: 'saveTextMessageDraft', args: (_s, e) => [PRIVATE, e.peer, null] },
  { name: 'getTextMessageDraft targetId ""', method: 'getTextMessageDraft', args: [PRIVATE, ''] },
  { name: 'getTextMessageDraft none saved', method: 'getTextMessageDraft', args: [GROUP, 'no-draft-here'] },
  { name: 'clearTextMessageDraft targetId ""', method: 'clearTextMessageDraft', args: [PRIVATE, ''] },
  { name: 'clearTextMessageDraft none saved', method: 'clearTextMessageDraft', args: [GROUP, 'no-draft-here'] },
  // tags
  { name: 'createTag tagId ""', method: 'createTag', args: [{ tagId: '', tagName: 'n' }, CB] },
  { name: 'createTag tagId 11 chars', method: 'createTag', args: [{ tagId: S(11), tagName: 'n' }, CB] },
  { name: 'createTag tagName 16 chars', method: 'createTag', args: [{ tagId: S(10, 'q'), tagName: S(16) }, CB] },
  { name: 'createTag tagName ""', method: 'createTag', args: [{ tagId: 'q1', tagName: '' }, CB] },
  { name: 'createTag null', method: 'createTag', args: [null, CB] },
  { name: 'createTag tagId 1 (number)', method: 'createTag', args: [{ tagId: 1, tagName: 'n' }, CB] },
  { name: 'removeTag ""', method: 'removeTag', args: ['', CB] },
  { name: 'removeTag 123', method: 'removeTag', args: [123, CB] },
  { name: 'removeTag unknown', method: 'removeTag', args: ['nosuchtag', CB] },
  { name: 'updateTag unknown', method: 'updateTag', args: [{ tagId: 'nosuchtag', tagName: 'x' }, CB] },
  { name: 'updateTag tagName ""', method: 'updateTag', args: [{ tagId: 'nosuchtag', tagName: '' }, CB] },
  { name: 'updateTag tagName 16', method: 'updateTag', args: [{ tagId: 'nosuchtag', tagName: S(16) }, CB] },
  { name: 'addTagForConversations []', method: 'addTagForConversations', args: (_s, e) => [e.tag, [], CB] },
  { name: 'addTagForConversations "x"', method: 'addTagForConversations', args: (_s, e) => [e.tag, 'x', CB] },
  { name: 'addTagForConversations tagId ""', method: 'addTagForConversations', args: (_s, e) => ['', [conv(e)], CB] },
  { name: 'addTagForConversations unknown tag', method: 'addTagForConversations', args: (_s, e) => ['nosuchtag', [conv(e)], CB] },
  { name: 'addTagForConversations type 99', method: 'addTagForConversations', args: (_s, e) => [e.tag, [{ type: 99, targetId: e.peer }], CB] },
  { name: 'addTagForConversations conversationType key', method: 'addTagForConversations', args: (_s, e) => [e.tag, [{ conversationType: 1, targetId: e.peer }], CB] },
  { name: 'addTagForConversations 1001', method: 'addTagForConversations', args: (_s, e) => [e.tag, Array.from({ length: 1001 }, (_, i) => ({ type: 1, targetId: `u${i}` })), CB] },
  { name: 'removeTagForConversations []', method: 'removeTagForConversations', args: (_s, e) => [e.tag, [], CB] },
  { name: 'removeTagForConversations unknown tag', method: 'removeTagForConversations', args: (_s, e) => ['nosuchtag', [conv(e)], CB] },
  { name: 'removeTagsForConversation tagIds []', method: 'removeTagsForConversation', args: (_s, e) => [conv(e), [], CB] },
  { name: 'removeTagsForConversation conv null', method: 'removeTagsForConversation', args: (_s, e) => [null, [e.tag], CB] },
  { name: 'removeTagsForConversation tagIds "x"', method: 'removeTagsForConversation', args: (_s, e) => [conv(e), 'x', CB] },
  { name: 'getTagsForConversation null', method: 'getTagsForConversation', args: [null, CB] },
  { name: 'getTagsForConversation targetId ""', method: 'getTagsForConversation', args: [{ type: 1, targetId: '' }, CB] },
  { name: 'getTagsForConversation type 99', method: 'getTagsForConversation', args: (_s, e) => [{ type: 99, targetId: e.peer }, CB] },
  { name: 'getConversationListByTag count 0', method: 'getConversationListByTag', args: (_s, e) => [e.tag, 0, 0, CB] },
  { name: 'getConversationListByTag count -1', method: 'getConversationListByTag', args: (_s, e) => [e.tag, -1, 0, CB] },
  { name: 'getConversationListByTag count "x"', method: 'getConversationListByTag', args: (_s, e) => [e.tag, 'x', 0, CB] },
  { name: 'getConversationListByTag startTime -1', method: 'getConversationListByTag', args: (_s, e) => [e.tag, 10, -1, CB] },
  { name: 'getConversationListByTag tagId ""', method: 'getConversationListByTag', args: ['', 10, 0, CB] },
  { name: 'getConversationListByTag unknown tag', method: 'getConversationListByTag', args: ['nosuchtag', 10, 0, CB] },
  { name: 'getConversationListByTag future startTime', method: 'getConversationListByTag', args: ['nosuchtag', 10, Date.now() + 86_400_000, CB] },
  { name: 'getUnreadCountByTag containMuted "yes"', method: 'getUnreadCountByTag', args: (_s, e) => [e.tag, 'yes', CB] },
  { name: 'getUnreadCountByTag containMuted undefined', method: 'getUnreadCountByTag', args: (_s, e) => [e.tag, undefined, CB] },
  { name: 'getUnreadCountByTag containMuted 1', method: 'getUnreadCountByTag', args: (_s, e) => [e.tag, 1, CB] },
  { name: 'getUnreadCountByTag tagId ""', method: 'getUnreadCountByTag', args: ['', true, CB] },
  { name: 'getUnreadCountByTag unknown tag', method: 'getUnreadCountByTag', args: ['nosuchtag', true, CB] },
  { name: 'setConversationStatusInTag isTop "x"', method: 'setConversationStatusInTag', args: (_s, e) => [e.tag, conv(e), { isTop: 'x' }, CB] },
  { name: 'setConversationStatusInTag status null', method: 'setConversationStatusInTag', args: (_s, e) => [e.tag, conv(e), null, CB] },
  { name: 'setConversationStatusInTag unknown tag', method: 'setConversationStatusInTag', args: (_s, e) => ['nosuchtag', conv(e), { isTop: true }, CB] },
  { name: 'setConversationStatusInTag tagId ""', method: 'setConversationStatusInTag', args: (_s, e) => ['', conv(e), { isTop: true }, CB] },
  // send
  { name: 'sendMessage targetId ""', method: 'sendMessage', args: [PRIVATE, '', text(), CB] },
  { name: 'sendMessage type 99', method: 'sendMessage', args: (_s, e) => [99, e.peer, text(), CB] },
  { name: 'sendMessage type "1"', method: 'sendMessage', args: (_s, e) => ['1', e.peer, text(), CB] },
  { name: 'sendMessage type 0 (NONE)', method: 'sendMessage', args: (_s, e) => [0, e.peer, text(), CB] },
  { name: 'sendMessage targetId 123', method: 'sendMessage', args: [PRIVATE, 123, text(), CB] },
  { name: 'sendMessage msg null', method: 'sendMessage', args: (_s, e) => [PRIVATE, e.peer, null, CB] },
  { name: 'sendMessage msg "hello"', method: 'sendMessage', args: (_s, e) => [PRIVATE, e.peer, 'hello', CB] },
  { name: 'sendMessage isMentioned "yes"', method: 'sendMessage', args: (_s, e) => [PRIVATE, e.peer, text(), CB, 'yes'] },
  { name: 'sendMessage pushContent 123', method: 'sendMessage', args: (_s, e) => [PRIVATE, e.peer, text(), CB, false, 123] },
  { name: 'sendMessage pushData 123', method: 'sendMessage', args: (_s, e) => [PRIVATE, e.peer, text(), CB, false, null, 123] },
  { name: 'sendMessage config "x"', method: 'sendMessage', args: (_s, e) => [PRIVATE, e.peer, text(), CB, false, null, null, null, 'x'] },
  { name: 'sendMessage content > 128 KB', method: 'sendMessage', args: (_s, e) => [PRIVATE, e.peer, text(S(131_100)), CB] },
  { name: 'sendMessage chatroom not joined', method: 'sendMessage', args: [CHATROOM, 'room-not-joined', text(), CB] },
  { name: 'sendMessage group not member', method: 'sendMessage', args: [GROUP, 'group-not-member', text(), CB] },
  { name: 'sendMessage expansion 21 keys', method: 'sendMessage', args: (_s, e) => [PRIVATE, e.peer, text(), CB, false, null, null, null, { canIncludeExpansion: true, expansion: manyKeys(21) }] },
  { name: 'sendMessage expansion bad key', method: 'sendMessage', args: (_s, e) => [PRIVATE, e.peer, text(), CB, false, null, null, null, { canIncludeExpansion: true, expansion: { 'k k': 'v' } }] },
  { name: 'sendMessage config.userIds "x"', method: 'sendMessage', args: (_s, e) => [GROUP, e.groupId, text(), CB, false, null, null, null, { userIds: 'x' }] },
  { name: 'sendRecallMessage null', method: 'sendRecallMessage', args: [null, CB] },
  { name: 'sendRecallMessage {}', method: 'sendRecallMessage', args: [{}, CB] },
  { name: 'sendRecallMessage uid ""', method: 'sendRecallMessage', args: (_s, e) => [{ conversationType: 1, targetId: e.peer, messageUId: '', sentTime: 1 }, CB] },
  { name: 'sendRecallMessage sentTime missing', method: 'sendRecallMessage', args: (s) => [{ ...s.plainMsg, sentTime: undefined }, CB] },
  { name: 'sendRecallMessage options "x"', method: 'sendRecallMessage', args: (s) => [s.plainMsg, CB, 'x'] },
  { name: 'sendRecallMessage unknown uid', method: 'sendRecallMessage', args: (_s, e) => [{ conversationType: 1, targetId: e.peer, messageUId: 'BAAA-AAAA-AAAA-AAAA', sentTime: Date.now() - 1000 }, CB] },
  { name: 'sendTypingStatusMessage targetId ""', method: 'sendTypingStatusMessage', args: [PRIVATE, '', 'RC:TxtMsg', CB] },
  { name: 'sendTypingStatusMessage content ""', method: 'sendTypingStatusMessage', args: (_s, e) => [PRIVATE, e.peer, '', CB] },
  { name: 'sendTypingStatusMessage content 123', method: 'sendTypingStatusMessage', args: (_s, e) => [PRIVATE, e.peer, 123, CB] },
  { name: 'sendTypingStatusMessage type 99', method: 'sendTypingStatusMessage', args: (_s, e) => [99, e.peer, 'RC:TxtMsg', CB] },
  { name: 'sendTypingStatusMessage chatroom', method: 'sendTypingStatusMessage', args: (_s, e) => [CHATROOM, e.room, 'RC:TxtMsg', CB] },
  // expansion
  { name: 'updateMessageExpansion message null', method: 'updateMessageExpansion', args: [{ k: 'v' }, null, CB] },
  { name: 'updateMessageExpansion {}', method: 'updateMessageExpansion', args: (s) => [{}, s.expMsg, CB] },
  { name: 'updateMessageExpansion "x"', method: 'updateMessageExpansion', args: (s) => ['x', s.expMsg, CB] },
  { name: 'updateMessageExpansion value 1', method: 'updateMessageExpansion', args: (s) => [{ k: 1 }, s.expMsg, CB] },
  { name: 'updateMessageExpansion CJK key', method: 'updateMessageExpansion', args: (s) => [{ 中: 'v' }, s.expMsg, CB] },
  { name: 'updateMessageExpansion 21 keys', method: 'updateMessageExpansion', args: (s) => [manyKeys(21), s.expMsg, CB] },
  { name: 'updateMessageExpansion key 33 chars', method: 'updateMessageExpansion', args: (s) => [{ [S(33)]: 'v' }, s.expMsg, CB] },
  { name: 'updateMessageExpansion key 32 chars', method: 'updateMessageExpansion', args: (s) => [{ [S(32)]: 'v' }, s.expMsg, CB] },
  { name: 'updateMessageExpansion value 4097', method: 'updateMessageExpansion', args: (s) => [{ k: S(4097) }, s.expMsg, CB] },
  { name: 'updateMessageExpansion not expandable', method: 'updateMessageExpansion', args: (s) => [{ k: 'v' }, s.plainMsg, CB] },
  { name: 'updateMessageExpansion uid ""', method: 'updateMessageExpansion', args: (s) => [{ k: 'v' }, { ...s.expMsg, messageUId: '' }, CB] },
  { name: 'removeMessageExpansionForKey []', method: 'removeMessageExpansionForKey', args: (s) => [[], s.expMsg, CB] },
  { name: 'removeMessageExpansionForKey "k"', method: 'removeMessageExpansionForKey', args: (s) => ['k', s.expMsg, CB] },
  { name: 'removeMessageExpansionForKey [1]', method: 'removeMessageExpansionForKey', args: (s) => [[1], s.expMsg, CB] },
  { name: 'removeMessageExpansionForKey message null', method: 'removeMessageExpansionForKey', args: [['k'], null, CB] },
  { name: 'removeMessageExpansionForKey 21 keys', method: 'removeMessageExpansionForKey', args: (s) => [Object.keys(manyKeys(21)), s.expMsg, CB] },
  { name: 'removeMessageExpansionForKey not expandable', method: 'removeMessageExpansionForKey', args: (s) => [['k'], s.plainMsg, CB] },
  // history
  { name: 'getHistoryMessages count 0', method: 'getHistoryMessages', args: (_s, e) => [PRIVATE, e.peer, 0, 0, CB] },
  { name: 'getHistoryMessages count 21', method: 'getHistoryMessages', args: (_s, e) => [PRIVATE, e.peer, 0, 21, CB] },
  { name: 'getHistoryMessages count -1', method: 'getHistoryMessages', args: (_s, e) => [PRIVATE, e.peer, 0, -1, CB] },
  { name: 'getHistoryMessages count "5"', method: 'getHistoryMessages', args: (_s, e) => [PRIVATE, e.peer, 0, '5', CB] },
  { name: 'getHistoryMessages count 1.5', method: 'getHistoryMessages', args: (_s, e) => [PRIVATE, e.peer, 0, 1.5, CB] },
  { name: 'getHistoryMessages timestamp -1', method: 'getHistoryMessages', args: (_s, e) => [PRIVATE, e.peer, -1, 5, CB] },
  { name: 'getHistoryMessages timestamp "0"', method: 'getHistoryMessages', args: (_s, e) => [PRIVATE, e.peer, '0', 5, CB] },
  { name: 'getHistoryMessages timestamp null', method: 'getHistoryMessages', args: (_s, e) => [PRIVATE, e.peer, null, 5, CB] },
  { name: 'getHistoryMessages timestamp future', method: 'getHistoryMessages', args: (_s, e) => [PRIVATE, e.peer, Date.now() + 86_400_000, 5, CB] },
  { name: 'getHistoryMessages order 2', method: 'getHistoryMessages', args: (_s, e) => [PRIVATE, e.peer, 0, 5, CB, null, 2] },
  { name: 'getHistoryMessages objectName 123', method: 'getHistoryMessages', args: (_s, e) => [PRIVATE, e.peer, 0, 5, CB, 123] },
  { name: 'getHistoryMessages targetId ""', method: 'getHistoryMessages', args: [PRIVATE, '', 0, 5, CB] },
  { name: 'getHistoryMessages type 99', method: 'getHistoryMessages', args: (_s, e) => [99, e.peer, 0, 5, CB] },
  { name: 'getHistoryMessages chatroom', method: 'getHistoryMessages', args: (_s, e) => [CHATROOM, e.room, 0, 5, CB] },
  { name: 'deleteRemoteMessages []', method: 'deleteRemoteMessages', args: (_s, e) => [PRIVATE, e.peer, [], CB] },
  { name: 'deleteRemoteMessages 101', method: 'deleteRemoteMessages', args: (s, e) => [PRIVATE, e.peer, Array.from({ length: 101 }, () => ({ messageUId: s.plainMsg['messageUId'], sentTime: s.plainMsg['sentTime'], messageDirection: 1 })), CB] },
  { name: 'deleteRemoteMessages "x"', method: 'deleteRemoteMessages', args: (_s, e) => [PRIVATE, e.peer, 'x', CB] },
  { name: 'deleteRemoteMessages item no sentTime', method: 'deleteRemoteMessages', args: (_s, e) => [PRIVATE, e.peer, [{ messageUId: 'BAAA-AAAA-AAAA-AAAA', messageDirection: 1 }], CB] },
  { name: 'deleteRemoteMessages unknown uid', method: 'deleteRemoteMessages', args: (_s, e) => [PRIVATE, e.peer, [{ messageUId: 'BAAA-AAAA-AAAA-AAAA', sentTime: 1, messageDirection: 1 }], CB] },
  { name: 'deleteRemoteMessages type 99', method: 'deleteRemoteMessages', args: (s, e) => [99, e.peer, [{ messageUId: s.plainMsg['messageUId'], sentTime: s.plainMsg['sentTime'], messageDirection: 1 }], CB] },
  { name: 'deleteRemoteMessages targetId ""', method: 'deleteRemoteMessages', args: (s) => [PRIVATE, '', [{ messageUId: s.plainMsg['messageUId'], sentTime: s.plainMsg['sentTime'], messageDirection: 1 }], CB] },
  { name: 'clearRemoteHistoryMessages null', method: 'clearRemoteHistoryMessages', args: [null, CB] },
  { name: 'clearRemoteHistoryMessages "x"', method: 'clearRemoteHistoryMessages', args: ['x', CB] },
  { name: 'clearRemoteHistoryMessages targetId ""', method: 'clearRemoteHistoryMessages', args: [{ conversationType: 1, targetId: '', timestamp: 1 }, CB] },
  { name: 'clearRemoteHistoryMessages timestamp -1', method: 'clearRemoteHistoryMessages', args: [{ conversationType: 1, targetId: 'nobody-ever', timestamp: -1 }, CB] },
  { name: 'clearRemoteHistoryMessages timestamp "x"', method: 'clearRemoteHistoryMessages', args: [{ conversationType: 1, targetId: 'nobody-ever', timestamp: 'x' }, CB] },
  { name: 'clearRemoteHistoryMessages timestamp future', method: 'clearRemoteHistoryMessages', args: [{ conversationType: 1, targetId: 'nobody-ever', timestamp: Date.now() + 86_400_000 }, CB] },
  { name: 'clearRemoteHistoryMessages type 99', method: 'clearRemoteHistoryMessages', args: [{ conversationType: 99, targetId: 'nobody-ever', timestamp: 1 }, CB] },
  // chatroom
  { name: 'joinChatRoom ""', method: 'joinChatRoom', args: ['', 10, CB] },
  { name: 'joinChatRoom 123', method: 'joinChatRoom', args: [123, 10, CB] },
  { name: 'joinChatRoom count -1', method: 'joinChatRoom', args: (_s, e) => [e.room, -1, CB] },
  { name: 'joinChatRoom count 51', method: 'joinChatRoom', args: (_s, e) => [e.room, 51, CB] },
  { name: 'joinChatRoom count "x"', method: 'joinChatRoom', args: (_s, e) => [e.room, 'x', CB] },
  { name: 'joinChatRoom count undefined', method: 'joinChatRoom', args: (_s, e) => [e.room, undefined, CB] },
  { name: 'quitChatRoom ""', method: 'quitChatRoom', args: ['', CB] },
  { name: 'quitChatRoom 123', method: 'quitChatRoom', args: [123, CB] },
  { name: 'quitChatRoom not joined', method: 'quitChatRoom', args: ['room-not-joined', CB] },
  { name: 'getChatRoomInfo count 21', method: 'getChatRoomInfo', args: (_s, e) => [e.room, 21, 1, CB] },
  { name: 'getChatRoomInfo count -1', method: 'getChatRoomInfo', args: (_s, e) => [e.room, -1, 1, CB] },
  { name: 'getChatRoomInfo order 3', method: 'getChatRoomInfo', args: (_s, e) => [e.room, 5, 3, CB] },
  { name: 'getChatRoomInfo order 0', method: 'getChatRoomInfo', args: (_s, e) => [e.room, 5, 0, CB] },
  { name: 'getChatRoomInfo ""', method: 'getChatRoomInfo', args: ['', 5, 1, CB] },
  { name: 'getChatRoomInfo not joined', method: 'getChatRoomInfo', args: ['room-not-joined', 5, 1, CB] },
  { name: 'getChatRoomInfo count "x"', method: 'getChatRoomInfo', args: (_s, e) => [e.room, 'x', 1, CB] },
  { name: 'getChatRoomHistoryMessages count 0', method: 'getChatRoomHistoryMessages', args: (_s, e) => [e.room, 0, 0, CB] },
  { name: 'getChatRoomHistoryMessages count 21', method: 'getChatRoomHistoryMessages', args: (_s, e) => [e.room, 21, 0, CB] },
  { name: 'getChatRoomHistoryMessages order 2', method: 'getChatRoomHistoryMessages', args: (_s, e) => [e.room, 5, 2, CB] },
  { name: 'getChatRoomHistoryMessages ""', method: 'getChatRoomHistoryMessages', args: ['', 5, 0, CB] },
  { name: 'getChatRoomHistoryMessages timestamp -1', method: 'getChatRoomHistoryMessages', args: (_s, e) => [e.room, 5, 0, CB, -1] },
  { name: 'getChatRoomHistoryMessages timestamp "x"', method: 'getChatRoomHistoryMessages', args: (_s, e) => [e.room, 5, 0, CB, 'x'] },
  { name: 'setChatroomEntry key ""', method: 'setChatroomEntry', args: (_s, e) => [e.room, { key: '', value: 'v' }, CB] },
  { name: 'setChatroomEntry key 129', method: 'setChatroomEntry', args: (_s, e) => [e.room, { key: S(129), value: 'v' }, CB] },
  { name: 'setChatroomEntry key "k k"', method: 'setChatroomEntry', args: (_s, e) => [e.room, { key: 'k k', value: 'v' }, CB] },
  { name: 'setChatroomEntry value ""', method: 'setChatroomEntry', args: (_s, e) => [e.room, { key: 'k', value: '' }, CB] },
  { name: 'setChatroomEntry value 4097', method: 'setChatroomEntry', args: (_s, e) => [e.room, { key: 'k', value: S(4097) }, CB] },
  { name: 'setChatroomEntry value 1', method: 'setChatroomEntry', args: (_s, e) => [e.room, { key: 'k', value: 1 }, CB] },
  { name: 'setChatroomEntry entry null', method: 'setChatroomEntry', args: (_s, e) => [e.room, null, CB] },
  { name: 'setChatroomEntry room ""', method: 'setChatroomEntry', args: ['', { key: 'k', value: 'v' }, CB] },
  { name: 'setChatroomEntry not joined', method: 'setChatroomEntry', args: ['room-not-joined', { key: 'k', value: 'v' }, CB] },
  { name: 'setChatroomEntry isSendNotification "x"', method: 'setChatroomEntry', args: (_s, e) => [e.room, { key: 'k', value: 'v', isSendNotification: 'x' }, CB] },
  { name: 'removeChatroomEntry key ""', method: 'removeChatroomEntry', args: (_s, e) => [e.room, { key: '' }, CB] },
  { name: 'removeChatroomEntry unknown key', method: 'removeChatroomEntry', args: (_s, e) => [e.room, { key: 'nosuchkey' }, CB] },
  { name: 'removeChatroomEntry entry null', method: 'removeChatroomEntry', args: (_s, e) => [e.room, null, CB] },
  { name: 'forceSetChatroomEntry key 129', method: 'forceSetChatroomEntry', args: (_s, e) => [e.room, { key: S(129), value: 'v' }, CB] },
  { name: 'forceRemoveChatroomEntry unknown key', method: 'forceRemoveChatroomEntry', args: (_s, e) => [e.room, { key: 'nosuchkey' }, CB] },
  { name: 'getChatroomEntry key ""', method: 'getChatroomEntry', args: (_s, e) => [e.room, '', CB] },
  { name: 'getChatroomEntry unknown key', method: 'getChatroomEntry', args: (_s, e) => [e.room, 'nosuchkey', CB] },
  { name: 'getChatroomEntry room ""', method: 'getChatroomEntry', args: ['', 'k', CB] },
  { name: 'getChatroomEntry key 123', method: 'getChatroomEntry', args: (_s, e) => [e.room, 123, CB] },
  { name: 'getChatroomEntry not joined', method: 'getChatroomEntry', args: ['room-not-joined', 'k', CB] },
  { name: 'getAllChatroomEntries ""', method: 'getAllChatroomEntries', args: ['', CB] },
  { name: 'getAllChatroomEntries 123', method: 'getAllChatroomEntries', args: [123, CB] },
  { name: 'getAllChatroomEntries not joined', method: 'getAllChatroomEntries', args: ['room-not-joined', CB] },
  // files
  { name: 'getFileToken type 99', method: 'getFileToken', args: [99, CB] },
  { name: 'getFileToken type "1"', method: 'getFileToken', args: ['1', CB] },
  { name: 'getFileToken type 0', method: 'getFileToken', args: [0, CB] },
  { name: 'getFileToken fileName 123', method: 'getFileToken', args: [1, CB, 123] },
  { name: 'getFileUrl fileName ""', method: 'getFileUrl', args: [1, '', 'o', CB] },
  { name: 'getFileUrl type 99', method: 'getFileUrl', args: [99, 'f', 'o', CB] },
  { name: 'getFileUrl fileName 123', method: 'getFileUrl', args: [1, 123, 'o', CB] },
  { name: 'getFileUrl oriName 123', method: 'getFileUrl', args: [1, 'f', 123, CB] },
  // receipts
  { name: 'sendReceiptResponse type 99', method: 'sendReceiptResponse', args: (_s, e) => [99, e.groupId, CB] },
  { name: 'sendReceiptResponse targetId ""', method: 'sendReceiptResponse', args: [GROUP, '', CB] },
  { name: 'sendReceiptResponse nothing pending', method: 'sendReceiptResponse', args: (_s, e) => [GROUP, e.groupId, CB] },
  { name: 'sendReadReceiptMessage []', method: 'sendReadReceiptMessage', args: (_s, e) => [[], e.groupId, CB] },
  { name: 'sendReadReceiptMessage targetId ""', method: 'sendReadReceiptMessage', args: [['BAAA-AAAA-AAAA-AAAA'], '', CB] },
  { name: 'getMessageReader uid ""', method: 'getMessageReader', args: (_s, e) => ['', e.groupId, CB] },
  // deprecated / CPP only / misc with a callback
  { name: 'getConversationUnreadCount [1]', method: 'getConversationUnreadCount', args: [[1], CB] },
  { name: 'clearConversations', method: 'clearConversations', args: [CB, [SYSTEM]] },
  { name: 'addToBlacklist', method: 'addToBlacklist', args: (_s, e) => [e.peer, CB] },
  { name: 'getBlacklist', method: 'getBlacklist', args: [CB] },
  { name: 'searchConversationByContent', method: 'searchConversationByContent', args: ['x', CB] },
  { name: 'getConversationNotificationStatus', method: 'getConversationNotificationStatus', args: (_s, e) => [PRIVATE, e.peer, CB] },
  { name: 'clearUnreadCountByTimestamp', method: 'clearUnreadCountByTimestamp', args: (_s, e) => [PRIVATE, e.peer, 1, CB] },
  { name: 'getRemoteHistoryMessages', method: 'getRemoteHistoryMessages', args: (_s, e) => [PRIVATE, e.peer, 0, 5, CB] },
  { name: 'getMessage', method: 'getMessage', args: [1, CB] },
  { name: 'setUserStatus', method: 'setUserStatus', args: [10, CB] },
  { name: 'callExtra unknown', method: 'callExtra', args: ['nosuchmethod', CB] },
  // sync / no-callback forms
  { name: 'getUnreadMentionedMessages (sync)', method: 'getUnreadMentionedMessages', args: (_s, e) => [PRIVATE, e.peer] },
  { name: 'getChannel (sync)', method: 'getChannel', args: ['c1'] },
  { name: 'install null (sync)', method: 'install', args: [null] },
  { name: 'getCurrentConnectionStatus (sync)', method: 'getCurrentConnectionStatus', args: [] },
  { name: 'getSDKInfo (sync)', method: 'getSDKInfo', args: [] },
  { name: 'getAppInfo (sync)', method: 'getAppInfo', args: [] },
  { name: 'clearAllUnreadCount (no callback)', method: 'clearAllUnreadCount', args: [] },
  // callbacks missing / not an object (ours: no throw, no crash; 2.9.2 as recorded)
  { name: 'getConversationList no callback', method: 'getConversationList', args: [] },
  { name: 'getConversationList callback "x"', method: 'getConversationList', args: ['x'] },
  { name: 'getTotalUnreadCount no callback', method: 'getTotalUnreadCount', args: [] },
  { name: 'getUnreadCount no callback', method: 'getUnreadCount', args: (_s, e) => [PRIVATE, e.peer] },
  { name: 'clearUnreadCount no callback', method: 'clearUnreadCount', args: (_s, e) => [PRIVATE, e.peer] },
  { name: 'getHistoryMessages no callback', method: 'getHistoryMessages', args: (_s, e) => [PRIVATE, e.peer, 0, 5] },
  { name: 'getHistoryMessages callback "x"', method: 'getHistoryMessages', args: (_s, e) => [PRIVATE, e.peer, 0, 5, 'x'] },
  { name: 'sendMessage no callback', method: 'sendMessage', args: (_s, e) => [PRIVATE, e.peer, text('no cb')] },
  { name: 'joinChatRoom no callback', method: 'joinChatRoom', args: (_s, e) => [e.room, 1] },
  { name: 'getTagList no callback', method: 'getTagList', args: [] },
  { name: 'removeConversation no callback', method: 'removeConversation', args: [PRIVATE, 'nobody-ever'] },
  { name: 'setConversationStatus no callback', method: 'setConversationStatus', args: (_s, e) => [PRIVATE, e.peer, { isTop: false }] },
];

const SEND_METHODS = new Set(['sendMessage', 'sendRecallMessage', 'sendTypingStatusMessage', 'updateMessageExpansion', 'removeMessageExpansionForKey']);

export const LIFECYCLE: Probe[] = [
  { name: 'getConversationList', method: 'getConversationList', args: [CB] },
  { name: 'getConversation', method: 'getConversation', args: [PRIVATE, 'someone', CB] },
  { name: 'removeConversation', method: 'removeConversation', args: [PRIVATE, 'someone', CB] },
  { name: 'setConversationStatus', method: 'setConversationStatus', args: [PRIVATE, 'someone', { isTop: true }, CB] },
  { name: 'getTotalUnreadCount', method: 'getTotalUnreadCount', args: [CB] },
  { name: 'getUnreadCount', method: 'getUnreadCount', args: [PRIVATE, 'someone', CB] },
  { name: 'clearUnreadCount', method: 'clearUnreadCount', args: [PRIVATE, 'someone', CB] },
  { name: 'saveTextMessageDraft (sync)', method: 'saveTextMessageDraft', args: [PRIVATE, 'someone', 'd'] },
  { name: 'getTextMessageDraft (sync)', method: 'getTextMessageDraft', args: [PRIVATE, 'someone'] },
  { name: 'clearTextMessageDraft (sync)', method: 'clearTextMessageDraft', args: [PRIVATE, 'someone'] },
  { name: 'getCurrentUserId (sync)', method: 'getCurrentUserId', args: [] },
  { name: 'getCurrentConnectionStatus (sync)', method: 'getCurrentConnectionStatus', args: [] },
  { name: 'createTag', method: 'createTag', args: [{ tagId: 'tx', tagName: 'n' }, CB] },
  { name: 'getTagList', method: 'getTagList', args: [CB] },
  { name: 'getTagsForConversation', method: 'getTagsForConversation', args: [{ type: 1, targetId: 'someone' }, CB] },
  { name: 'getConversationListByTag', method: 'getConversationListByTag', args: ['tx', 10, 0, CB] },
  { name: 'getUnreadCountByTag', method: 'getUnreadCountByTag', args: ['tx', true, CB] },
  { name: 'updateTag', method: 'updateTag', args: [{ tagId: 'tx', tagName: 'm' }, CB] },
  { name: 'removeTag', method: 'removeTag', args: ['tx', CB] },
  { name: 'addTagForConversations', method: 'addTagForConversations', args: ['tx', [{ type: 1, targetId: 'someone' }], CB] },
  { name: 'removeTagForConversations', method: 'removeTagForConversations', args: ['tx', [{ type: 1, targetId: 'someone' }], CB] },
  { name: 'removeTagsForConversation', method: 'removeTagsForConversation', args: [{ type: 1, targetId: 'someone' }, ['tx'], CB] },
  { name: 'setConversationStatusInTag', method: 'setConversationStatusInTag', args: ['tx', { type: 1, targetId: 'someone' }, { isTop: true }, CB] },
  { name: 'getConversationUnreadCount', method: 'getConversationUnreadCount', args: [[1], CB] },
  { name: 'clearAllUnreadCount', method: 'clearAllUnreadCount', args: [CB] },
  { name: 'sendMessage', method: 'sendMessage', args: [PRIVATE, 'someone', text(), CB] },
  { name: 'sendRecallMessage', method: 'sendRecallMessage', args: (s) => [s.plainMsg, CB] },
  { name: 'sendTypingStatusMessage', method: 'sendTypingStatusMessage', args: [PRIVATE, 'someone', 'RC:TxtMsg', CB] },
  { name: 'updateMessageExpansion', method: 'updateMessageExpansion', args: (s) => [{ k: 'v' }, s.expMsg, CB] },
  { name: 'removeMessageExpansionForKey', method: 'removeMessageExpansionForKey', args: (s) => [['k'], s.expMsg, CB] },
  { name: 'getHistoryMessages', method: 'getHistoryMessages', args: [PRIVATE, 'someone', 0, 5, CB] },
  { name: 'getHistoryMessages chatroom', method: 'getHistoryMessages', args: [CHATROOM, 'r-x', 0, 5, CB] },
  { name: 'deleteRemoteMessages', method: 'deleteRemoteMessages', args: (s) => [PRIVATE, 'someone', [s.plainMsg], CB] },
  { name: 'clearRemoteHistoryMessages', method: 'clearRemoteHistoryMessages', args: [{ conversationType: 1, targetId: 'someone', timestamp: 1 }, CB] },
  { name: 'joinChatRoom', method: 'joinChatRoom', args: ['r-x', 10, CB] },
  { name: 'quitChatRoom', method: 'quitChatRoom', args: ['r-x', CB] },
  { name: 'getChatRoomInfo', method: 'getChatRoomInfo', args: ['r-x', 5, 1, CB] },
  { name: 'getChatRoomHistoryMessages', method: 'getChatRoomHistoryMessages', args: ['r-x', 5, 0, CB] },
  { name: 'setChatroomEntry', method: 'setChatroomEntry', args: ['r-x', { key: 'k', value: 'v' }, CB] },
  { name: 'getChatroomEntry', method: 'getChatroomEntry', args: ['r-x', 'k', CB] },
  { name: 'getAllChatroomEntries', method: 'getAllChatroomEntries', args: ['r-x', CB] },
  { name: 'getFileToken', method: 'getFileToken', args: [1, CB] },
  { name: 'getFileUrl', method: 'getFileUrl', args: [1, 'f', 'o', CB] },
  { name: 'sendReceiptResponse', method: 'sendReceiptResponse', args: [GROUP, 'g-x', CB] },
  { name: 'getBlacklist', method: 'getBlacklist', args: [CB] },
];

/**
 * [probe, 2.9.2's outcome, ours] as observed. Equal columns = parity confirmed. Where they differ, ours is the
 * checklist's target: 2.9.2 throws an RCAssertError (`throw`), never calls back (`none`), passes an object as
 * the error code (`err:[object Object]`) or lets an out-of-range value through that the checklist bounds, and
 * ours reports onError(33003) (API_CHECKLIST Decisions) or the documented code instead. Not listed: the probes
 * of an unknown tag (2.9.2's updateTag creates the tag, so their outcome depends on order).
 */
const CONNECTED: ReadonlyArray<readonly [string, string, string]> = [
  ['getConversationList types "x"', 'throw', 'err:33003'],
  ['getConversationList types [99]', 'ok:array', 'err:33003'],
  ['getConversationList count 0', 'ok:array', 'err:33003'],
  ['getConversationList count -1', 'ok:array', 'err:33003'],
  ['getConversationList count "5"', 'throw', 'err:33003'],
  ['getConversationList count 1.5', 'none', 'err:33003'],
  ['getConversationList types []', 'ok:array', 'ok:array'],
  ['getConversationList count 100000', 'ok:array', 'ok:array'],
  ['getConversation targetId ""', 'throw', 'err:33003'],
  ['getConversation targetId 123', 'throw', 'err:33003'],
  ['getConversation type 99', 'ok:object', 'err:33003'],
  ['getConversation type "1"', 'throw', 'err:33003'],
  ['getConversation type null', 'throw', 'err:33003'],
  ['removeConversation targetId ""', 'throw', 'err:33003'],
  ['removeConversation type 99', 'none', 'err:33003'],
  ['removeConversation never existed', 'ok:undefined', 'ok:undefined'],
  ['setConversationStatus {}', 'err:33003', 'err:33003'],
  ['setConversationStatus null', 'throw', 'err:33003'],
  ['setConversationStatus isTop "yes"', 'ok:undefined', 'err:33003'],
  ['setConversationStatus notificationStatus 3', 'ok:undefined', 'err:33003'],
  ['setConversationStatus notificationStatus 0', 'ok:undefined', 'err:33003'],
  ['setConversationStatus type 99', 'none', 'err:33003'],
  ['setConversationStatus targetId ""', 'throw', 'err:33003'],
  ['getTotalUnreadCount types "x"', 'ok:number', 'err:33003'],
  ['getTotalUnreadCount types [99]', 'ok:number', 'err:33003'],
  ['getTotalUnreadCount includeMuted "yes"', 'ok:number', 'err:33003'],
  ['getTotalUnreadCount types []', 'ok:number', 'ok:number'],
  ['getUnreadCount targetId ""', 'throw', 'err:33003'],
  ['getUnreadCount type 99', 'ok:number', 'err:33003'],
  ['getUnreadCount targetId 123', 'throw', 'err:33003'],
  ['getUnreadCount chatroom', 'ok:number', 'ok:number'],
  ['clearUnreadCount targetId ""', 'throw', 'err:33003'],
  ['clearUnreadCount type 99', 'ok:boolean', 'err:33003'],
  ['clearUnreadCount targetId null', 'throw', 'err:33003'],
  ['saveTextMessageDraft text 123', 'throw', 'ret:boolean:false'],
  ['saveTextMessageDraft targetId ""', 'throw', 'ret:boolean:false'],
  ['saveTextMessageDraft type 99', 'ret:boolean:true', 'ret:boolean:false'],
  ['saveTextMessageDraft text ""', 'throw', 'ret:boolean:true'],
  ['saveTextMessageDraft text null', 'throw', 'ret:boolean:false'],
  ['getTextMessageDraft targetId ""', 'throw', 'ret:undefined:undefined'],
  ['getTextMessageDraft none saved', 'ret:undefined:undefined', 'ret:undefined:undefined'],
  ['clearTextMessageDraft targetId ""', 'throw', 'ret:boolean:false'],
  ['clearTextMessageDraft none saved', 'ret:boolean:true', 'ret:boolean:true'],
  ['createTag tagId ""', 'throw', 'err:33003'],
  ['createTag tagId 11 chars', 'throw', 'err:33003'],
  ['createTag tagName 16 chars', 'throw', 'err:33003'],
  ['createTag tagName ""', 'throw', 'err:33003'],
  ['createTag null', 'throw', 'err:33003'],
  ['createTag tagId 1 (number)', 'throw', 'err:33003'],
  ['removeTag ""', 'throw', 'err:33003'],
  ['removeTag 123', 'throw', 'err:33003'],
  ['removeTag unknown', 'err:33101', 'err:33101'],
  ['updateTag tagName ""', 'throw', 'err:33003'],
  ['updateTag tagName 16', 'throw', 'err:33003'],
  ['addTagForConversations []', 'err:33003', 'err:33003'],
  ['addTagForConversations "x"', 'throw', 'err:33003'],
  ['addTagForConversations tagId ""', 'throw', 'err:33003'],
  ['addTagForConversations type 99', 'err:[object Object]', 'err:33003'],
  ['addTagForConversations conversationType key', 'throw', 'ok:undefined'],
  ['addTagForConversations 1001', 'err:34013', 'err:34013'],
  ['removeTagForConversations []', 'err:33003', 'err:33003'],
  ['removeTagsForConversation tagIds []', 'ok:undefined', 'err:33003'],
  ['removeTagsForConversation conv null', 'throw', 'err:33003'],
  ['removeTagsForConversation tagIds "x"', 'throw', 'err:33003'],
  ['getTagsForConversation null', 'throw', 'err:33003'],
  ['getTagsForConversation targetId ""', 'throw', 'err:33003'],
  ['getTagsForConversation type 99', 'ok:array', 'err:33003'],
  ['getConversationListByTag count 0', 'ok:array', 'err:33003'],
  ['getConversationListByTag count -1', 'ok:array', 'err:33003'],
  ['getConversationListByTag count "x"', 'throw', 'err:33003'],
  ['getConversationListByTag startTime -1', 'ok:array', 'err:33003'],
  ['getConversationListByTag tagId ""', 'throw', 'err:33003'],
  ['getConversationListByTag future startTime', 'ok:array', 'ok:array'],
  ['getUnreadCountByTag containMuted "yes"', 'throw', 'err:33003'],
  ['getUnreadCountByTag containMuted undefined', 'throw', 'err:33003'],
  ['getUnreadCountByTag containMuted 1', 'throw', 'ok:number'],
  ['getUnreadCountByTag tagId ""', 'throw', 'err:33003'],
  ['setConversationStatusInTag isTop "x"', 'throw', 'err:33003'],
  ['setConversationStatusInTag status null', 'throw', 'err:33003'],
  ['setConversationStatusInTag tagId ""', 'throw', 'err:33003'],
  ['sendMessage targetId ""', 'throw', 'err:33003'],
  ['sendMessage type 99', 'ok:object', 'err:33003'],
  ['sendMessage type "1"', 'throw', 'err:33003'],
  ['sendMessage type 0 (NONE)', 'ok:object', 'err:33003'],
  ['sendMessage targetId 123', 'throw', 'err:33003'],
  ['sendMessage msg null', 'throw', 'err:33003'],
  ['sendMessage msg "hello"', 'throw', 'err:33003'],
  ['sendMessage isMentioned "yes"', 'throw', 'err:33003'],
  ['sendMessage pushContent 123', 'throw', 'err:33003'],
  ['sendMessage pushData 123', 'throw', 'err:33003'],
  ['sendMessage config "x"', 'ok:object', 'err:33003'],
  ['sendMessage content > 128 KB', 'err:30016', 'err:30016'],
  ['sendMessage chatroom not joined', 'err:23410', 'err:23410'],
  ['sendMessage group not member', 'err:22406', 'err:22406'],
  ['sendMessage expansion 21 keys', 'ok:object', 'err:34010'],
  ['sendMessage expansion bad key', 'ok:object', 'err:33003'],
  ['sendMessage config.userIds "x"', 'throw', 'err:33003'],
  ['sendRecallMessage null', 'throw', 'err:33003'],
  ['sendRecallMessage {}', 'throw', 'err:33003'],
  ['sendRecallMessage uid ""', 'throw', 'err:33003'],
  ['sendRecallMessage sentTime missing', 'throw', 'err:33003'],
  ['sendRecallMessage options "x"', 'ok:object', 'err:33003'],
  ['sendRecallMessage unknown uid', 'err:25101', 'err:25101'],
  ['sendTypingStatusMessage targetId ""', 'throw', 'err:33003'],
  ['sendTypingStatusMessage content ""', 'throw', 'err:33003'],
  ['sendTypingStatusMessage content 123', 'throw', 'err:33003'],
  ['sendTypingStatusMessage type 99', 'ok:object', 'err:33003'],
  ['sendTypingStatusMessage chatroom', 'ok:object', 'ok:object'],
  ['updateMessageExpansion message null', 'throw', 'err:33003'],
  ['updateMessageExpansion {}', 'ok:undefined', 'err:33003'],
  ['updateMessageExpansion "x"', 'throw', 'err:33003'],
  ['updateMessageExpansion value 1', 'err:33003', 'err:33003'],
  ['updateMessageExpansion CJK key', 'err:33003', 'err:33003'],
  ['updateMessageExpansion 21 keys', 'err:34010', 'err:34010'],
  ['updateMessageExpansion key 33 chars', 'err:34010', 'err:34010'],
  ['updateMessageExpansion key 32 chars', 'ok:undefined', 'ok:undefined'],
  ['updateMessageExpansion value 4097', 'err:34010', 'err:34010'],
  ['updateMessageExpansion not expandable', 'err:34008', 'err:34008'],
  ['updateMessageExpansion uid ""', 'err:33003', 'err:33003'],
  ['removeMessageExpansionForKey []', 'ok:undefined', 'err:33003'],
  ['removeMessageExpansionForKey "k"', 'throw', 'err:33003'],
  ['removeMessageExpansionForKey [1]', 'err:33003', 'err:33003'],
  ['removeMessageExpansionForKey message null', 'throw', 'err:33003'],
  ['removeMessageExpansionForKey 21 keys', 'ok:undefined', 'ok:undefined'],
  ['removeMessageExpansionForKey not expandable', 'err:34008', 'err:34008'],
  ['getHistoryMessages count 0', 'ok:array', 'err:33003'],
  ['getHistoryMessages count 21', 'ok:array', 'err:33003'],
  ['getHistoryMessages count -1', 'ok:array', 'err:33003'],
  ['getHistoryMessages count "5"', 'throw', 'err:33003'],
  ['getHistoryMessages count 1.5', 'none', 'err:33003'],
  ['getHistoryMessages timestamp -1', 'ok:array', 'err:33003'],
  ['getHistoryMessages timestamp "0"', 'throw', 'err:33003'],
  ['getHistoryMessages timestamp null', 'throw', 'ok:array'],
  ['getHistoryMessages timestamp future', 'ok:array', 'ok:array'],
  ['getHistoryMessages order 2', 'ok:array', 'err:33003'],
  ['getHistoryMessages objectName 123', 'ok:array', 'err:33003'],
  ['getHistoryMessages targetId ""', 'throw', 'err:33003'],
  ['getHistoryMessages type 99', 'ok:array', 'err:33003'],
  ['getHistoryMessages chatroom', 'ok:array', 'ok:array'],
  ['deleteRemoteMessages []', 'err:33003', 'err:33003'],
  ['deleteRemoteMessages 101', 'err:33003', 'err:33003'],
  ['deleteRemoteMessages "x"', 'throw', 'err:33003'],
  ['deleteRemoteMessages item no sentTime', 'ok:undefined', 'err:33003'],
  ['deleteRemoteMessages unknown uid', 'ok:undefined', 'ok:undefined'],
  ['deleteRemoteMessages type 99', 'none', 'err:33003'],
  ['deleteRemoteMessages targetId ""', 'throw', 'err:33003'],
  ['clearRemoteHistoryMessages null', 'throw', 'err:33003'],
  ['clearRemoteHistoryMessages "x"', 'throw', 'err:33003'],
  ['clearRemoteHistoryMessages targetId ""', 'throw', 'err:33003'],
  ['clearRemoteHistoryMessages timestamp -1', 'ok:undefined', 'err:33003'],
  ['clearRemoteHistoryMessages timestamp "x"', 'throw', 'err:33003'],
  ['clearRemoteHistoryMessages timestamp future', 'ok:undefined', 'ok:undefined'],
  ['clearRemoteHistoryMessages type 99', 'err:39002', 'err:33003'],
  ['joinChatRoom ""', 'throw', 'err:33003'],
  ['joinChatRoom 123', 'throw', 'err:33003'],
  ['joinChatRoom count -1', 'ok:undefined', 'err:33003'],
  ['joinChatRoom count 51', 'ok:undefined', 'err:33003'],
  ['joinChatRoom count "x"', 'throw', 'err:33003'],
  ['joinChatRoom count undefined', 'throw', 'ok:undefined'],
  ['quitChatRoom ""', 'throw', 'err:33003'],
  ['quitChatRoom 123', 'throw', 'err:33003'],
  ['quitChatRoom not joined', 'ok:undefined', 'ok:undefined'],
  ['getChatRoomInfo count 21', 'ok:object', 'err:33003'],
  ['getChatRoomInfo count -1', 'ok:object', 'err:33003'],
  ['getChatRoomInfo order 3', 'ok:object', 'err:33003'],
  ['getChatRoomInfo order 0', 'ok:object', 'ok:object'],
  ['getChatRoomInfo ""', 'throw', 'err:33003'],
  ['getChatRoomInfo not joined', 'err:23410', 'err:23410'],
  ['getChatRoomInfo count "x"', 'throw', 'err:33003'],
  ['getChatRoomHistoryMessages count 0', 'ok:array', 'ok:array'],
  ['getChatRoomHistoryMessages count 21', 'ok:array', 'err:33003'],
  ['getChatRoomHistoryMessages order 2', 'ok:array', 'err:33003'],
  ['getChatRoomHistoryMessages ""', 'throw', 'err:33003'],
  ['getChatRoomHistoryMessages timestamp -1', 'ok:array', 'err:33003'],
  ['getChatRoomHistoryMessages timestamp "x"', 'throw', 'err:33003'],
  ['setChatroomEntry key ""', 'err:33003', 'err:33003'],
  ['setChatroomEntry key 129', 'err:33003', 'err:33003'],
  ['setChatroomEntry key "k k"', 'err:33003', 'err:33003'],
  ['setChatroomEntry value ""', 'err:33003', 'err:33003'],
  ['setChatroomEntry value 4097', 'err:33003', 'err:33003'],
  ['setChatroomEntry value 1', 'err:33003', 'err:33003'],
  ['setChatroomEntry entry null', 'throw', 'err:33003'],
  ['setChatroomEntry room ""', 'throw', 'err:33003'],
  ['setChatroomEntry not joined', 'err:23410', 'err:23410'],
  ['setChatroomEntry isSendNotification "x"', 'ok:undefined', 'err:33003'],
  ['removeChatroomEntry key ""', 'err:33003', 'err:33003'],
  ['removeChatroomEntry unknown key', 'err:23427', 'err:23427'],
  ['removeChatroomEntry entry null', 'throw', 'err:33003'],
  ['forceSetChatroomEntry key 129', 'err:33003', 'err:33003'],
  ['forceRemoveChatroomEntry unknown key', 'err:23427', 'err:23427'],
  ['getChatroomEntry key ""', 'throw', 'err:33003'],
  ['getChatroomEntry unknown key', 'err:23427', 'err:23427'],
  ['getChatroomEntry room ""', 'throw', 'err:33003'],
  ['getChatroomEntry key 123', 'throw', 'err:33003'],
  ['getChatroomEntry not joined', 'err:23427', 'err:23410'],
  ['getAllChatroomEntries ""', 'throw', 'err:33003'],
  ['getAllChatroomEntries 123', 'throw', 'err:33003'],
  ['getAllChatroomEntries not joined', 'ok:object', 'err:23410'],
  ['getFileToken type 99', 'err:[object Object]', 'err:41001'],
  ['getFileToken type "1"', 'throw', 'err:33003'],
  ['getFileToken type 0', 'err:[object Object]', 'err:41001'],
  ['getFileToken fileName 123', 'throw', 'err:33003'],
  ['getFileUrl fileName ""', 'throw', 'err:33003'],
  ['getFileUrl type 99', 'err:[object Object]', 'err:41001'],
  ['getFileUrl fileName 123', 'throw', 'err:33003'],
  ['getFileUrl oriName 123', 'throw', 'err:33003'],
  ['sendReceiptResponse type 99', 'ok:null', 'err:33003'],
  ['sendReceiptResponse targetId ""', 'ok:null', 'err:33003'],
  ['sendReceiptResponse nothing pending', 'ok:null', 'ok:null'],
  ['sendReadReceiptMessage []', 'err:35003', 'err:33003'],
  ['sendReadReceiptMessage targetId ""', 'throw', 'err:33003'],
  ['getMessageReader uid ""', 'throw', 'err:33003'],
  ['getConversationUnreadCount [1]', 'none', 'ok:number'],
  ['clearConversations', 'none', 'ok:boolean'],
  ['addToBlacklist', 'err:39002', 'err:39002'],
  ['getBlacklist', 'err:39002', 'err:39002'],
  ['searchConversationByContent', 'err:39002', 'err:39002'],
  ['getConversationNotificationStatus', 'err:39002', 'err:39002'],
  ['clearUnreadCountByTimestamp', 'err:39002', 'err:39002'],
  ['getRemoteHistoryMessages', 'err:39002', 'err:39002'],
  ['getMessage', 'err:39002', 'err:39002'],
  ['setUserStatus', 'err:39002', 'err:39002'],
  ['callExtra unknown', 'err:-4', 'err:39002'],
  ['getUnreadMentionedMessages (sync)', 'ret:null:', 'ret:null:'],
  ['getChannel (sync)', 'ret:null:', 'ret:null:'],
  ['install null (sync)', 'throw', 'ret:null:'],
  ['getCurrentConnectionStatus (sync)', 'ret:number:0', 'ret:number:0'],
  ['getSDKInfo (sync)', 'ret:object:', 'ret:object:'],
  ['getAppInfo (sync)', 'ret:object:', 'ret:object:'],
  ['clearAllUnreadCount (no callback)', 'missing', 'ret:undefined:undefined'],
  ['getConversationList no callback', 'ret:undefined:undefined', 'ret:undefined:undefined'],
  ['getConversationList callback "x"', 'throw', 'ret:undefined:undefined'],
  ['getTotalUnreadCount no callback', 'ret:undefined:undefined', 'ret:undefined:undefined'],
  ['getUnreadCount no callback', 'ret:undefined:undefined', 'ret:undefined:undefined'],
  ['clearUnreadCount no callback', 'ret:undefined:undefined', 'ret:undefined:undefined'],
  ['getHistoryMessages no callback', 'throw', 'ret:undefined:undefined'],
  ['getHistoryMessages callback "x"', 'throw', 'ret:undefined:undefined'],
  ['sendMessage no callback', 'throw', 'ret:undefined:undefined'],
  ['joinChatRoom no callback', 'ret:undefined:undefined', 'ret:undefined:undefined'],
  ['getTagList no callback', 'ret:undefined:undefined', 'ret:undefined:undefined'],
  ['removeConversation no callback', 'ret:undefined:undefined', 'ret:undefined:undefined'],
  ['setConversationStatus no callback', 'ret:undefined:undefined', 'ret:undefined:undefined'],
];

/**
 * [phase, method, 2.9.2, ours] with valid arguments before connect and after disconnect. After disconnect only
 * the local unread counts, drafts, `getTagList` and `sendReceiptResponse` with nothing pending answer; every other
 * method reports 30001 on both, although our session keeps the user's state for the next connect.
 */
const LIFECYCLE_EXPECTED: ReadonlyArray<readonly [string, string, string, string]> = [
  ['before', 'getConversationList', 'err:30001', 'err:30001'],
  ['before', 'getConversation', 'none', 'err:30001'],
  ['before', 'removeConversation', 'err:30001', 'err:30001'],
  ['before', 'setConversationStatus', 'err:30001', 'err:30001'],
  ['before', 'getTotalUnreadCount', 'throw', 'err:30001'],
  ['before', 'getUnreadCount', 'throw', 'err:30001'],
  ['before', 'clearUnreadCount', 'throw', 'err:30001'],
  ['before', 'saveTextMessageDraft (sync)', 'ret:boolean:false', 'ret:boolean:false'],
  ['before', 'getTextMessageDraft (sync)', 'ret:undefined:undefined', 'ret:undefined:undefined'],
  ['before', 'clearTextMessageDraft (sync)', 'ret:boolean:false', 'ret:boolean:false'],
  ['before', 'getCurrentConnectionStatus (sync)', 'ret:number:2', 'ret:number:2'],
  ['before', 'createTag', 'err:30001', 'err:30001'],
  ['before', 'getTagList', 'err:[object Object]', 'err:30001'],
  ['before', 'getTagsForConversation', 'err:30001', 'err:30001'],
  ['before', 'getConversationListByTag', 'err:30001', 'err:30001'],
  ['before', 'getUnreadCountByTag', 'err:30001', 'err:30001'],
  ['before', 'updateTag', 'err:30001', 'err:30001'],
  ['before', 'removeTag', 'err:30001', 'err:30001'],
  ['before', 'addTagForConversations', 'err:30001', 'err:30001'],
  ['before', 'removeTagForConversations', 'err:30001', 'err:30001'],
  ['before', 'removeTagsForConversation', 'err:30001', 'err:30001'],
  ['before', 'setConversationStatusInTag', 'err:30001', 'err:30001'],
  ['before', 'getConversationUnreadCount', 'none', 'err:30001'],
  ['before', 'clearAllUnreadCount', 'missing', 'err:30001'],
  ['before', 'sendMessage', 'err:30001', 'err:30001'],
  ['before', 'sendRecallMessage', 'err:30001', 'err:30001'],
  ['before', 'sendTypingStatusMessage', 'err:30001', 'err:30001'],
  ['before', 'updateMessageExpansion', 'err:30001', 'err:30001'],
  ['before', 'removeMessageExpansionForKey', 'err:30001', 'err:30001'],
  ['before', 'getHistoryMessages', 'err:30001', 'err:30001'],
  ['before', 'getHistoryMessages chatroom', 'err:30001', 'err:30001'],
  ['before', 'deleteRemoteMessages', 'err:30001', 'err:30001'],
  ['before', 'clearRemoteHistoryMessages', 'err:30001', 'err:30001'],
  ['before', 'joinChatRoom', 'err:30001', 'err:30001'],
  ['before', 'quitChatRoom', 'err:30001', 'err:30001'],
  ['before', 'getChatRoomInfo', 'err:30001', 'err:30001'],
  ['before', 'getChatRoomHistoryMessages', 'err:30001', 'err:30001'],
  ['before', 'setChatroomEntry', 'err:30001', 'err:30001'],
  ['before', 'getChatroomEntry', 'err:23427', 'err:30001'],
  ['before', 'getAllChatroomEntries', 'ok:object', 'err:30001'],
  ['before', 'getFileToken', 'err:30001', 'err:30001'],
  ['before', 'getFileUrl', 'err:30001', 'err:30001'],
  ['before', 'sendReceiptResponse', 'ok:null', 'err:30001'],
  ['before', 'getBlacklist', 'err:39002', 'err:39002'],
  ['after', 'getConversationList', 'err:30001', 'err:30001'],
  ['after', 'getConversation', 'err:34009', 'err:30001'],
  ['after', 'removeConversation', 'err:30001', 'err:30001'],
  ['after', 'setConversationStatus', 'err:30001', 'err:30001'],
  ['after', 'getTotalUnreadCount', 'ok:number', 'ok:number'],
  ['after', 'getUnreadCount', 'ok:number', 'ok:number'],
  ['after', 'clearUnreadCount', 'ok:boolean', 'ok:boolean'],
  ['after', 'saveTextMessageDraft (sync)', 'ret:boolean:true', 'ret:boolean:true'],
  ['after', 'getTextMessageDraft (sync)', 'ret:string:d', 'ret:string:d'],
  ['after', 'clearTextMessageDraft (sync)', 'ret:boolean:true', 'ret:boolean:true'],
  ['after', 'getCurrentConnectionStatus (sync)', 'ret:number:2', 'ret:number:2'],
  ['after', 'createTag', 'err:30001', 'err:30001'],
  ['after', 'getTagList', 'ok:array', 'ok:array'],
  ['after', 'getTagsForConversation', 'err:30001', 'err:30001'],
  ['after', 'getConversationListByTag', 'err:30001', 'err:30001'],
  ['after', 'getUnreadCountByTag', 'err:30001', 'err:30001'],
  ['after', 'updateTag', 'err:30001', 'err:30001'],
  ['after', 'removeTag', 'err:30001', 'err:30001'],
  ['after', 'addTagForConversations', 'err:30001', 'err:30001'],
  ['after', 'removeTagForConversations', 'err:30001', 'err:30001'],
  ['after', 'removeTagsForConversation', 'err:30001', 'err:30001'],
  ['after', 'setConversationStatusInTag', 'err:30001', 'err:30001'],
  ['after', 'getConversationUnreadCount', 'none', 'ok:number'],
  ['after', 'clearAllUnreadCount', 'missing', 'ok:boolean'],
  ['after', 'sendMessage', 'err:30001', 'err:30001'],
  ['after', 'sendRecallMessage', 'err:30001', 'err:30001'],
  ['after', 'sendTypingStatusMessage', 'err:30001', 'err:30001'],
  ['after', 'updateMessageExpansion', 'err:30001', 'err:30001'],
  ['after', 'removeMessageExpansionForKey', 'err:30001', 'err:30001'],
  ['after', 'getHistoryMessages', 'err:30001', 'err:30001'],
  ['after', 'getHistoryMessages chatroom', 'err:30001', 'err:30001'],
  ['after', 'deleteRemoteMessages', 'err:30001', 'err:30001'],
  ['after', 'clearRemoteHistoryMessages', 'err:30001', 'err:30001'],
  ['after', 'joinChatRoom', 'err:30001', 'err:30001'],
  ['after', 'quitChatRoom', 'err:30001', 'err:30001'],
  ['after', 'getChatRoomInfo', 'err:30001', 'err:30001'],
  ['after', 'getChatRoomHistoryMessages', 'err:30001', 'err:30001'],
  ['after', 'setChatroomEntry', 'err:30001', 'err:30001'],
  ['after', 'getChatroomEntry', 'err:23427', 'err:30001'],
  ['after', 'getAllChatroomEntries', 'ok:object', 'err:30001'],
  ['after', 'getFileToken', 'err:30001', 'err:30001'],
  ['after', 'getFileUrl', 'err:30001', 'err:30001'],
  ['after', 'sendReceiptResponse', 'ok:null', 'ok:null'],
  ['after', 'getBlacklist', 'err:39002', 'err:39002'],
];

function expectRows(rows: readonly Row[], expected: ReadonlyArray<readonly [string, string, string]>): void {
  const got = new Map(rows.map((r) => [r.name, r]));
  const table = expected.filter(([name]) => got.has(name)).map(([name]) => { const r = got.get(name) as Row; return [name, r.official, r.ours]; });
  expect(table).toEqual(expected.filter(([name]) => got.has(name)).map((e) => [...e]));
}

describe('bad and edge input, side by side with 2.9.2 (connected)', () => {
  test('every probe but the sends: 2.9.2 and ours as recorded (parity or the checklist target)', async () => {
    const { official, ours, sides, env } = await setup();
    // A tag of one's own on each side (same id), so tag probes reach the server with a valid tag.
    expect(await runOfficial(official, 'createTag', [{ tagId: env.tag, tagName: 'bad' }, CB])).toBe('ok:undefined');
    expect(await runOurs(ours.im, 'createTag', [{ tagId: env.tag, tagName: 'bad' }, CB])).toBe('ok:undefined');
    const names = new Set(CONNECTED.map(([n]) => n));
    const probes = PROBES.filter((p) => names.has(p.name) && !SEND_METHODS.has(p.method));
    const rows = await runProbes(probes, official, ours.im, sides, env);
    expect(rows).toHaveLength(probes.length);
    expectRows(rows, CONNECTED);
  }, 300_000);

  test('sends, recalls, typing, expansion — one at a time (5 messages a second per client)', async () => {
    const { official, ours, sides, env } = await setup();
    const names = new Set(CONNECTED.map(([n]) => n));
    const rows: Row[] = [];
    for (const p of PROBES.filter((x) => names.has(x.name) && SEND_METHODS.has(x.method)).slice(0, 60)) {
      await delay(450);
      rows.push(...(await runProbes([p], official, ours.im, sides, env)));
    }
    expectRows(rows, CONNECTED);
  }, 300_000);
});

describe('before connect and after disconnect', () => {
  test('valid calls on a client that never connected, and after disconnect()', async () => {
    const env: Env = { peer: 'someone', groupId: 'g-x', room: 'r-x', tag: 'tx' };
    const fake = { conversationType: 1, targetId: 'someone', messageUId: 'BAAA-AAAA-AAAA-AAAA', sentTime: 1, canIncludeExpansion: true, expansion: {}, messageDirection: 1 };
    const side = (name: 'official' | 'ours'): Side => ({ name, expMsg: fake, plainMsg: fake });
    const probes = LIFECYCLE.filter((p) => p.name !== 'getCurrentUserId (sync)');
    const official = await fx.launch('official-idle');
    const ours = await sdkUser(fx.server, DEFAULT_TEST_APP, 'ours-idle');
    sdkUsers.push(ours);
    const before = await runProbes(probes, official, ours.im, { official: side('official'), ours: side('ours') }, env);
    const o2 = await fx.online('official-gone');
    const u2 = await sdkUser(fx.server, DEFAULT_TEST_APP, 'ours-gone');
    sdkUsers.push(u2);
    await u2.connect();
    await o2.client.disconnect();
    await u2.im.disconnect();
    await delay(300);
    const after = await runProbes(probes, o2.client, u2.im, { official: side('official'), ours: side('ours') }, env);
    for (const phase of ['before', 'after'] as const) {
      const expected = LIFECYCLE_EXPECTED.filter(([p]) => p === phase).map(([, n, o, u]) => [n, o, u] as const);
      expectRows(phase === 'before' ? before : after, expected);
    }
  }, 300_000);
});

describe('statics and connect', () => {
  test('connect with an empty / non-string / unknown token: onTokenIncorrect (2.9.2: the same for the first two, 30007 from navi for the third — 2.9.7+ reports the token, seed L10638)', async () => {
    const a = await fx.launch('fresh-a');
    const b = await fx.launch('fresh-b');
    expect(await a.connect('')).toEqual({ ok: false, kind: 'tokenIncorrect' });
    expect(await b.connect(123 as never)).toEqual({ ok: false, kind: 'tokenIncorrect' });
    const u = await sdkUser(fx.server, DEFAULT_TEST_APP, 'bad-token', { token: 'x' });
    sdkUsers.push(u);
    const conn = (t: unknown): Promise<unknown> =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve('none'), 12_000);
        const done = (v: unknown): void => { clearTimeout(timer); resolve(v); };
        try {
          void u.client.connect(t as string, { onSuccess: (x: string) => done({ ok: x }), onTokenIncorrect: () => done('tokenIncorrect'), onError: (c: number) => done({ err: c }) });
        } catch {
          done('throw');
        }
      });
    expect([await conn(''), await conn(123), await conn('garbage-token')]).toEqual(['tokenIncorrect', 'tokenIncorrect', 'tokenIncorrect']);
  });

  test('reconnect without disconnect → onError(35007) (seed L1216; 2.9.2 just reconnects)', async () => {
    const ours = await sdkUser(fx.server, DEFAULT_TEST_APP, 'ours');
    sdkUsers.push(ours);
    await ours.connect();
    const got = await new Promise((resolve) => ours.client.reconnect({ onSuccess: (u: string) => resolve({ ok: u }), onTokenIncorrect: () => resolve('tokenIncorrect'), onError: (c: number) => resolve({ err: c }) } as never));
    expect(got).toEqual({ err: 35007 });
  });

  test('static bad input: no throw from ours (2.9.2 throws a TypeError for setConnectionStatusListener(null))', async () => {
    const official = await fx.launch('statics');
    const ours = await sdkUser(fx.server, DEFAULT_TEST_APP, 'statics');
    const stat = (name: string, ...a: unknown[]): string => {
      try {
        const v = (ours.client as unknown as Record<string, (...x: unknown[]) => unknown>)[name]!(...a);
        return `ret:${kindOf(v)}`;
      } catch {
        return 'throw';
      }
    };
    const off = async (name: string, ...a: unknown[]): Promise<string> => {
      const r = await official.callStatic(name, ...a);
      return r.ok ? `ret:${kindOf(r.value)}` : 'throw';
    };
    const cases: Array<[string, unknown[]]> = [
      ['getMessageObjectName', [123]],
      ['registerMessageType', [123, 's:x', { isCounted: true, isPersited: true }, []]],
      ['setConnectionStatusListener', [null]],
      ['setOnReceiveMessageListener', ['x']],
      ['createLogger', ['RCx', 'IM']],
    ];
    const table: string[][] = [];
    for (const [name, args] of cases) table.push([name, await off(name, ...args), stat(name, ...args)]);
    expect(table).toEqual([
      ['getMessageObjectName', 'ret:number', 'ret:number'],
      ['registerMessageType', 'ret:undefined', 'ret:undefined'],
      ['setConnectionStatusListener', 'throw', 'ret:undefined'],
      ['setOnReceiveMessageListener', 'ret:undefined', 'ret:undefined'],
      ['createLogger', 'ret:null', 'ret:null'],
    ]);
  });
});

// ------------------------------------------------------------------------------------------------ behaviours
interface Page {
  readonly ok: boolean;
  /** onError's code, or the page reduced to what both clients should agree on. */
  readonly value: unknown;
  readonly hasMore?: unknown;
}

/** A history page without the fields that differ per client (local messageId, receivedTime). */
function pageOf(list: ReadonlyArray<Record<string, unknown>>): unknown[] {
  return list.map((m) => ({
    messageUId: m['messageUId'],
    conversationType: m['conversationType'],
    targetId: m['targetId'],
    senderUserId: m['senderUserId'],
    messageDirection: m['messageDirection'],
    content: (m['content'] as { content?: unknown } | undefined)?.content,
  }));
}

async function officialHistory(client: OfficialClient, ...args: unknown[]): Promise<Page> {
  const r = await client.call<Array<Record<string, unknown>>>('getHistoryMessages', ...args);
  return r.ok ? { ok: true, value: pageOf(r.value), hasMore: r.args[1] } : { ok: false, value: r.code };
}

function ourHistory(user: SdkUser, ...args: unknown[]): Promise<Page> {
  return new Promise((resolve) => {
    const cb = {
      onSuccess: (list: unknown, hasMore: unknown) => resolve({ ok: true, value: pageOf(JSON.parse(JSON.stringify(list)) as Array<Record<string, unknown>>), hasMore }),
      onError: (code: unknown) => resolve({ ok: false, value: code }),
    };
    const [type, target, ts, count, objectName, order] = args;
    (user.im.getHistoryMessages as (...a: unknown[]) => void)(type, target, ts, count, cb, objectName, order);
  });
}

function sendOursTo(user: SdkUser, type: number, targetId: string, content: string, config?: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    user.im.sendMessage(type, targetId, new TextMessage({ content }), { onSuccess: (m) => resolve(JSON.parse(JSON.stringify(m)) as Record<string, unknown>), onError: (c) => reject(new Error(`ours send failed ${c}`)) }, false, null, null, null, config);
  });
}

describe('getHistoryMessages of a chatroom (type 4): the room history on qryCHMsg, as 2.9.2', () => {
  test('pages of the same room read by both clients: the same messages, order, directions (own = 1), hasMore', async () => {
    const { official, officialId, ours, env } = await setup();
    const sent: string[] = [];
    for (const [i, who] of ['official', 'ours', 'official', 'ours'].entries()) {
      await delay(250);
      if (who === 'official') {
        const r = await official.sendMessage(CHATROOM, env.room, text(`room ${i}`) as never);
        if (!r.ok) throw new Error(`official room send failed ${r.code}`);
        sent.push(r.value.messageUId);
      } else sent.push((await sendOursTo(ours, CHATROOM, env.room, `room ${i}`))['messageUId'] as string);
    }
    await delay(300);
    const both = async (...args: unknown[]): Promise<[Page, Page]> => [await officialHistory(official, ...args), await ourHistory(ours, ...args)];
    // Newest 5 (there are 4): oldest first, each side's own messages SEND (1) with its own id as sender.
    const [theirs, mine] = await both(CHATROOM, env.room, 0, 5);
    expect(theirs.ok && mine.ok).toBe(true);
    const uids = (p: Page): unknown[] => (p.value as Array<{ messageUId: unknown }>).map((m) => m.messageUId);
    expect(uids(theirs)).toEqual(sent);
    expect(uids(mine)).toEqual(sent);
    const view = (p: Page): unknown[] => (p.value as Array<Record<string, unknown>>).map((m) => [m['conversationType'], m['targetId'], m['content'], m['messageDirection'], m['senderUserId']]);
    expect(view(theirs)).toEqual([
      [CHATROOM, env.room, 'room 0', 1, officialId],
      [CHATROOM, env.room, 'room 1', 2, ours.userId],
      [CHATROOM, env.room, 'room 2', 1, officialId],
      [CHATROOM, env.room, 'room 3', 2, ours.userId],
    ]);
    expect(view(mine)).toEqual([
      [CHATROOM, env.room, 'room 0', 2, officialId],
      [CHATROOM, env.room, 'room 1', 1, ours.userId],
      [CHATROOM, env.room, 'room 2', 2, officialId],
      [CHATROOM, env.room, 'room 3', 1, ours.userId],
    ]);
    expect([theirs.hasMore, mine.hasMore]).toEqual([false, false]);
    // The newest 2 of 4 (more before them); then order 1 after the first message; count 1 at "now".
    const [t2, m2] = await both(CHATROOM, env.room, 0, 2);
    expect([uids(t2), t2.hasMore]).toEqual([sent.slice(2), true]);
    expect([uids(m2), m2.hasMore]).toEqual([sent.slice(2), true]);
    const firstTime = await official.call<Array<{ sentTime: number }>>('getHistoryMessages', CHATROOM, env.room, 0, 5);
    const t0 = firstTime.ok ? (firstTime.value[0] as { sentTime: number }).sentTime : 0;
    const [tf, mf] = await both(CHATROOM, env.room, t0, 2, null, 1);
    expect([uids(tf), tf.hasMore]).toEqual([sent.slice(1, 3), true]);
    expect([uids(mf), mf.hasMore]).toEqual([uids(tf), tf.hasMore]);
    const [t1, m1] = await both(CHATROOM, env.room, 0, 1);
    expect([uids(t1), t1.hasMore]).toEqual([sent.slice(3), true]);
    expect([uids(m1), m1.hasMore]).toEqual([sent.slice(3), true]);
    // Counts outside 1–20: 2.9.2 sends them on (the server caps at 100); ours 33003 as for every type.
    const [t21, m21] = await both(CHATROOM, env.room, 0, 21);
    expect([t21.ok, m21]).toEqual([true, { ok: false, value: 33003 }]);
  }, 120_000);

  test('outside the room, an unknown room, an app without chatroom history: the server code on both clients', async () => {
    const { official, ours } = await setup();
    // A room that exists but neither client is in.
    const other = await fx.online('room-owner');
    const elsewhere = `r${randomBytes(6).toString('hex')}`;
    expect((await other.client.call('joinChatRoom', elsewhere, 10)).ok).toBe(true);
    const table: unknown[][] = [];
    for (const [label, room] of [['not joined', elsewhere], ['unknown room', `r${randomBytes(6).toString('hex')}`]] as const) {
      table.push([label, await officialHistory(official, CHATROOM, room, 0, 5), await ourHistory(ours, CHATROOM, room, 0, 5)]);
    }
    // After quitting a room one was in.
    const left = `r${randomBytes(6).toString('hex')}`;
    expect((await official.call('joinChatRoom', left, 10)).ok).toBe(true);
    expect(await ourCall(ours, 'joinChatRoom', left, 10, CB)).toBe('ok:undefined');
    expect((await official.call('quitChatRoom', left)).ok).toBe(true);
    expect(await ourCall(ours, 'quitChatRoom', left, CB)).toBe('ok:undefined');
    table.push(['quit', await officialHistory(official, CHATROOM, left, 0, 5), await ourHistory(ours, CHATROOM, left, 0, 5)]);
    // An app that keeps no chatroom history.
    const o2 = await fx.online('nohist-official', {}, NO_ROOM_HISTORY);
    const u2 = await sdkUser(fx.server, NO_ROOM_HISTORY, 'nohist-ours');
    sdkUsers.push(u2);
    await u2.connect();
    const room = `r${randomBytes(6).toString('hex')}`;
    expect((await o2.client.call('joinChatRoom', room, 10)).ok).toBe(true);
    expect(await ourCall(u2, 'joinChatRoom', room, 10, CB)).toBe('ok:undefined');
    table.push(['history off', await officialHistory(o2.client, CHATROOM, room, 0, 5), await ourHistory(u2, CHATROOM, room, 0, 5)]);
    const err = (code: number): Page => ({ ok: false, value: code });
    expect(table).toEqual([
      ['not joined', err(23406), err(23406)],
      ['unknown room', err(23410), err(23410)],
      ['quit', err(23406), err(23406)],
      ['history off', err(23414), err(23414)],
    ]);
  }, 120_000);
});

describe('removeMessageExpansionForKey: no key-count limit (20 per call is for setting)', () => {
  test('21 keys set in two updates are removed in one call, as by 2.9.2; 300 keys accepted, 301 refused by the server on both', async () => {
    const { official, ours, sides } = await setup();
    const keys = Object.keys(manyKeys(21));
    const first = Object.fromEntries(keys.slice(0, 20).map((k) => [k, 'v']));
    const last = { [keys[20] as string]: 'v' };
    // Each side sets 20 + 1 keys on its own expandable message, then removes the 21 at once.
    expect(await runOfficial(official, 'updateMessageExpansion', [first, sides.official.expMsg, CB])).toBe('ok:undefined');
    expect(await runOurs(ours.im, 'updateMessageExpansion', [first, sides.ours.expMsg, CB])).toBe('ok:undefined');
    await delay(450);
    expect(await runOfficial(official, 'updateMessageExpansion', [last, sides.official.expMsg, CB])).toBe('ok:undefined');
    expect(await runOurs(ours.im, 'updateMessageExpansion', [last, sides.ours.expMsg, CB])).toBe('ok:undefined');
    await delay(450);
    const expansionOf = async (side: 'official' | 'ours', uid: unknown): Promise<unknown> => {
      const page = side === 'official' ? await official.call<OfficialMessage[]>('getHistoryMessages', PRIVATE, sides.official.expMsg['targetId'], 0, 20) : undefined;
      if (page) return page.ok ? (page.value.find((m) => m.messageUId === uid)?.expansion ?? {}) : `err:${page.code}`;
      const mine = await new Promise<Array<Record<string, unknown>>>((resolve, reject) =>
        ours.im.getHistoryMessages(PRIVATE, sides.ours.expMsg['targetId'] as string, 0, 20, { onSuccess: (l) => resolve(JSON.parse(JSON.stringify(l)) as Array<Record<string, unknown>>), onError: (c) => reject(new Error(`history ${c}`)) }),
      );
      return mine.find((m) => m['messageUId'] === uid)?.['expansion'] ?? {};
    };
    expect(Object.keys((await expansionOf('official', sides.official.expMsg['messageUId'])) as object)).toHaveLength(21);
    expect(Object.keys((await expansionOf('ours', sides.ours.expMsg['messageUId'])) as object)).toHaveLength(21);
    expect(await runOfficial(official, 'removeMessageExpansionForKey', [keys, sides.official.expMsg, CB])).toBe('ok:undefined');
    expect(await runOurs(ours.im, 'removeMessageExpansionForKey', [keys, sides.ours.expMsg, CB])).toBe('ok:undefined');
    await delay(300);
    expect(await expansionOf('official', sides.official.expMsg['messageUId'])).toEqual({});
    expect(await expansionOf('ours', sides.ours.expMsg['messageUId'])).toEqual({});
    // As many keys as a message can hold in one call, then one more (the server's bound: a malformed command).
    await delay(450);
    const k300 = Object.keys(manyKeys(300));
    const k301 = Object.keys(manyKeys(301));
    expect([await runOfficial(official, 'removeMessageExpansionForKey', [k300, sides.official.expMsg, CB]), await runOurs(ours.im, 'removeMessageExpansionForKey', [k300, sides.ours.expMsg, CB])]).toEqual(['ok:undefined', 'ok:undefined']);
    await delay(450);
    expect([await runOfficial(official, 'removeMessageExpansionForKey', [k301, sides.official.expMsg, CB]), await runOurs(ours.im, 'removeMessageExpansionForKey', [k301, sides.ours.expMsg, CB])]).toEqual(['err:33003', 'err:33003']);
  }, 120_000);
});

describe('after disconnect: only local unread counts, drafts and the tag list answer (30001 for the rest, as 2.9.2)', () => {
  test('tag reads report 30001 although the session still holds the tag; a new connect answers them again', async () => {
    const official = await fx.online('official-gone');
    const ours = await sdkUser(fx.server, DEFAULT_TEST_APP, 'ours-gone');
    sdkUsers.push(ours);
    await ours.connect();
    const peer = { type: PRIVATE, targetId: 'someone' };
    // Both sides hold a tag with one conversation in it before disconnecting (so stale local data exists).
    for (const run of [(m: string, a: unknown[]) => runOfficial(official.client, m, a), (m: string, a: unknown[]) => runOurs(ours.im, m, a)]) {
      expect(await run('createTag', [{ tagId: 'tx', tagName: 'n' }, CB])).toBe('ok:undefined');
      expect(await run('addTagForConversations', ['tx', [peer], CB])).toBe('ok:undefined');
      expect(await run('getTagsForConversation', [peer, CB])).toBe('ok:array');
    }
    await official.client.disconnect();
    await ours.im.disconnect();
    await delay(300);
    const calls: Array<[string, unknown[]]> = [
      ['getTagsForConversation', [peer, CB]],
      ['getConversationListByTag', ['tx', 10, 0, CB]],
      ['getUnreadCountByTag', ['tx', true, CB]],
      ['setConversationStatusInTag', ['tx', peer, { isTop: true }, CB]],
      ['removeTagsForConversation', [peer, ['tx'], CB]],
      ['getTagList', [CB]],
      ['getUnreadCount', [PRIVATE, 'someone', CB]],
      ['getTotalUnreadCount', [CB]],
    ];
    const table: string[][] = [];
    for (const [m, a] of calls) table.push([m, await runOfficial(official.client, m, a), await runOurs(ours.im, m, a)]);
    expect(table).toEqual([
      ['getTagsForConversation', 'err:30001', 'err:30001'],
      ['getConversationListByTag', 'err:30001', 'err:30001'],
      ['getUnreadCountByTag', 'err:30001', 'err:30001'],
      ['setConversationStatusInTag', 'err:30001', 'err:30001'],
      ['removeTagsForConversation', 'err:30001', 'err:30001'],
      ['getTagList', 'ok:array', 'ok:array'],
      ['getUnreadCount', 'ok:number', 'ok:number'],
      ['getTotalUnreadCount', 'ok:number', 'ok:number'],
    ]);
    expect(ours.im.saveTextMessageDraft(PRIVATE, 'someone', 'kept')).toBe(true);
    expect(ours.im.getTextMessageDraft(PRIVATE, 'someone')).toBe('kept');
    // Connected again (same user): the kept tag state answers.
    await ours.connect();
    const tags = await new Promise<unknown>((resolve) => ours.im.getTagsForConversation(peer, { onSuccess: resolve, onError: (c) => resolve(`err:${c}`) }));
    expect(tags).toEqual([expect.objectContaining({ tagId: 'tx' })]);
    expect(ours.im.getTextMessageDraft(PRIVATE, 'someone')).toBe('kept');
  }, 120_000);
});
