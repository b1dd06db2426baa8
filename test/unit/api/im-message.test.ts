/** Received messages as the services see them (PROTOCOL.md §7.2, §8.3 rule 6, §9.3). */
import { encodeUtf8 } from '../../../src/codec/utf8';
import { encodeExpansion, fromDownStream, fromEcho, parseExpansion } from '../../../src/client/services/im-message';
import type { WireContext } from '../../../src/client/services/im-message';
import { builtInPolicy } from '../../../src/protocol/object-names';
import type { rc } from '../../../src/protocol/messages';

const ctx: WireContext = { me: 'me', connectedAt: 5000, policyOf: builtInPolicy };
const down = (overrides: Partial<rc.IDownStreamMessage> = {}): rc.IDownStreamMessage => ({
  fromUserId: 'peer',
  type: 1,
  classname: 'RC:TxtMsg',
  content: encodeUtf8('{"content":"hi"}'),
  dataTime: 4000,
  status: 16 | 32,
  msgId: 'UID-1',
  ...overrides,
});

test('a received private message: target and sender are the peer; offline when older than the connection', () => {
  expect(fromDownStream(down(), ctx)).toMatchObject({
    conversationType: 1,
    targetId: 'peer',
    senderUserId: 'peer',
    direction: 2,
    content: { content: 'hi' },
    messageUId: 'UID-1',
    sentTime: 4000,
    offline: true,
    persisted: true,
    counted: true,
  });
  expect(fromDownStream(down({ dataTime: 6000 }), ctx).offline).toBe(false);
});

test('a sendbox private entry (direction 1) carries the peer in fromUserId; the sender is me', () => {
  expect(fromDownStream(down({ direction: 1 }), ctx)).toMatchObject({ targetId: 'peer', senderUserId: 'me', direction: 1 });
});

test('group messages take the target from groupId; my own chatroom messages read as SEND', () => {
  expect(fromDownStream(down({ type: 3, groupId: 'g1', fromUserId: 'x' }), ctx)).toMatchObject({ targetId: 'g1', senderUserId: 'x', direction: 2 });
  expect(fromDownStream(down({ type: 4, groupId: 'r1', fromUserId: 'me' }), ctx)).toMatchObject({ targetId: 'r1', senderUserId: 'me', direction: 1 });
});

test('flags: built-in names use the table; unknown names trust the wire bits; other bits map to fields', () => {
  expect(fromDownStream(down({ classname: 'RC:InfoNtf', status: 16 | 32 }), ctx)).toMatchObject({ persisted: true, counted: false });
  expect(fromDownStream(down({ classname: 'App:X', status: 16 }), ctx)).toMatchObject({ persisted: true, counted: false });
  expect(fromDownStream(down({ status: 2 | 64 | 512 | 1024, extraContent: '{"k":{"v":"v"}}' }), ctx)).toMatchObject({
    retrieved: true,
    mentioned: true,
    disableNotification: true,
    canIncludeExpansion: true,
    expansion: { k: 'v' },
  });
  expect(fromDownStream(down({ classname: 'RC:TypSts' }), ctx).status).toBe(true);
});

test('content that is not a JSON object is kept as text', () => {
  const m = fromDownStream(down({ content: encodeUtf8('not json') }), ctx);
  expect(m.content).toBeUndefined();
  expect(m.contentText).toBe('not json');
});

test('an echo of my message from another device is a SEND message of the topic\'s conversation', () => {
  const m = fromEcho({ conversationType: 3, targetId: 'g1', upstream: { sessionId: 3 | 64, classname: 'RC:TxtMsg', content: encodeUtf8('{"content":"e"}') }, sentTime: 7000, messageUId: 'E1' }, ctx);
  expect(m).toMatchObject({ conversationType: 3, targetId: 'g1', senderUserId: 'me', direction: 1, messageUId: 'E1', sentTime: 7000, canIncludeExpansion: true, offline: false });
});

test('expansion wire JSON round-trips; malformed text is null', () => {
  expect(parseExpansion(encodeExpansion({ a: '1', b: 'two' }))).toEqual({ a: '1', b: 'two' });
  expect(parseExpansion('nope')).toBeNull();
  expect(parseExpansion(undefined)).toBeNull();
});
