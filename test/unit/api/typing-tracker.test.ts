/** Typing state: refreshed per RC:TypSts, expired after typingExpireTime (clamped 2–6 s), reported on every change. */
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
  tracker.onTyping(typing('u1'));
  clock.tick(1500);
  expect(reports).toHaveLength(2);
  clock.tick(1000);
  expect(reports[2]).toEqual([{ conversationType: 1, targetId: 'u1', channelId: '', list: [] }]);
  expect(clock.pendingTimers).toBe(0);
  tracker.stop();
});
