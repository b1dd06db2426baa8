/** Typing state: refreshed per RC:TypSts, expired after typingExpireTime (clamped 2–6 s), reported on every change (a refresh is none). */
import type { ImMessage } from '../../../src/client/services/im-message';
import { statusMessage } from '../../support/im-message-fixture';
import { clampTypingExpire, TypingTracker } from '../../../src/client/services/typing-tracker';
import type { TypingConversation } from '../../../src/client/services/typing-tracker';
import { FakeClock } from '../../support/fake-clock';

const typing = (senderUserId: string, targetId = senderUserId): ImMessage =>
  statusMessage({ targetId, senderUserId, objectName: 'RC:TypSts', content: { typingContentType: 'RC:TxtMsg' }, messageUId: '', sentTime: 0, status: true });

test('typingExpireTime is clamped to [2000, 6000] with 2000 as default', () => {
  expect(clampTypingExpire(undefined)).toBe(2000);
  expect(clampTypingExpire(100)).toBe(2000);
  expect(clampTypingExpire(4000)).toBe(4000);
  expect(clampTypingExpire(60_000)).toBe(6000);
});

test('a typer appears at once and disappears after the expiry, reported with an empty list', () => {
  const clock = new FakeClock();
  const reports: TypingConversation[][] = [];
  const tracker = new TypingTracker(clock, 2000, (changed) => reports.push(changed));
  tracker.onTyping(typing('u1'));
  expect(reports).toEqual([[{ conversationType: 1, targetId: 'u1', channelId: '', list: [{ userId: 'u1', timestamp: clock.now(), messageType: 'RC:TxtMsg' }] }]]);
  clock.tick(1500);
  tracker.onTyping(typing('u1')); // a refresh: extends the entry, reports nothing
  clock.tick(1500);
  expect(reports).toHaveLength(1);
  clock.tick(1000);
  expect(reports[1]).toEqual([{ conversationType: 1, targetId: 'u1', channelId: '', list: [] }]);
  expect(clock.pendingTimers).toBe(0);
  tracker.stop();
});

test('a repeat of the same user and type only extends the entry: reported when it starts and when it expires, not per refresh', () => {
  const clock = new FakeClock();
  const reports: TypingConversation[][] = [];
  const tracker = new TypingTracker(clock, 2000, (changed) => reports.push(changed));
  const users = (): string[][] => reports.map((changed) => changed.flatMap((c) => c.list.map((u) => u.userId)));
  const group = (sender: string, typingContentType = 'RC:TxtMsg'): ImMessage =>
    statusMessage({ conversationType: 3, targetId: 'g', senderUserId: sender, objectName: 'RC:TypSts', content: { typingContentType }, messageUId: '', sentTime: 0, status: true });
  tracker.onTyping(group('alice'));
  for (let i = 0; i < 2; i++) {
    clock.tick(300);
    tracker.onTyping(group('alice'));
  }
  expect(users()).toEqual([['alice']]);
  // The refreshes moved the expiry (checked every 500 ms): 2 s after the last one (600 ms), not the first.
  clock.tick(1900);
  expect(users()).toEqual([['alice']]);
  clock.tick(500);
  expect(users()).toEqual([['alice'], []]);
  // A new typer, and a new type from a known one, are changes (the re-typed user moves to the end, as 2.9.2 lists it).
  tracker.onTyping(group('alice'));
  tracker.onTyping(group('bob'));
  tracker.onTyping(group('bob'));
  tracker.onTyping(group('alice', 'RC:VcMsg'));
  expect(users().slice(2)).toEqual([['alice'], ['alice', 'bob'], ['bob', 'alice']]);
  expect(reports[4]?.[0]?.list.map((u) => u.messageType)).toEqual(['RC:TxtMsg', 'RC:VcMsg']);
  clock.tick(2000);
  expect(users()).toHaveLength(6);
  expect(users()[5]).toEqual([]);
  tracker.stop();
});

test('the device clock set back while someone types: the typer still expires after the expiry, counted by the checks', () => {
  const clock = new FakeClock();
  const reports: TypingConversation[][] = [];
  const tracker = new TypingTracker(clock, 2000, (changed) => reports.push(changed));
  tracker.onTyping(typing('u1'));
  clock.tick(300);
  clock.jump(-3 * 3_600_000);
  clock.tick(2000);
  expect(reports).toHaveLength(1);
  clock.tick(500);
  // By the device clock alone it stayed for three hours.
  expect(reports[1]).toEqual([{ conversationType: 1, targetId: 'u1', channelId: '', list: [] }]);
  expect(clock.pendingTimers).toBe(0);
  tracker.stop();
});
