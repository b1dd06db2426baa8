import { mentionedRecipients } from '../../../src/services/groups/mentions';
import { mergeHistoryPages } from '../../../src/services/groups/group-history';
import type { HistoryPage, SyncEntry } from '../../../src/store/store';

const json = (value: unknown): Uint8Array => new Uint8Array(Buffer.from(JSON.stringify(value)));

describe('mentionedRecipients', () => {
  const recipients = ['u2', 'u3', 'u4'];

  it('needs the mentioned flag and a mentionedInfo', () => {
    expect(mentionedRecipients(3, json({ content: 'x', mentionedInfo: { type: 1 } }), recipients)).toEqual([]);
    expect(mentionedRecipients(7, json({ content: 'x' }), recipients)).toEqual([]);
    expect(mentionedRecipients(7, new Uint8Array(Buffer.from('not json')), recipients)).toEqual([]);
    expect(mentionedRecipients(7, json({ mentionedInfo: 'all' }), recipients)).toEqual([]);
  });

  it('type 1 mentions every recipient, type 2 the listed recipients only', () => {
    expect(mentionedRecipients(7, json({ mentionedInfo: { type: 1, userIdList: [] } }), recipients)).toEqual(recipients);
    expect(mentionedRecipients(4, json({ mentionedInfo: { type: '1' } }), recipients)).toEqual(recipients);
    expect(mentionedRecipients(7, json({ mentionedInfo: { type: 2, userIdList: ['u4', 'u1', 'sender', 5] } }), recipients)).toEqual(['u4']);
    expect(mentionedRecipients(7, json({ mentionedInfo: { type: 2 } }), recipients)).toEqual([]);
    expect(mentionedRecipients(7, json({ mentionedInfo: { type: 3, userIdList: ['u2'] } }), recipients)).toEqual([]);
  });
});

describe('mergeHistoryPages', () => {
  const entry = (uid: string, sentTime: number, direction: 1 | 2 = 2): SyncEntry => ({
    message: { appKey: 'a', uid, sentTime, fromUserId: 'u1', conversationType: 3, targetId: 'g', objectName: 'RC:TxtMsg', content: new Uint8Array(), flags: 3, recalled: false },
    direction,
    mentioned: false,
  });
  const page = (entries: SyncEntry[], hasMore = false): HistoryPage => ({ messages: entries, hasMore });
  const uids = (p: HistoryPage): string[] => p.messages.map((e) => e.message.uid);

  it('keeps the newest `count` for order 0 and the oldest `count` (newest first) for order 1', () => {
    const own = page([entry('o9', 90), entry('o5', 50)]);
    const shared = page([entry('s7', 70), entry('s3', 30)]);
    const older = mergeHistoryPages(own, shared, { count: 3, order: 0 });
    expect(uids(older)).toEqual(['o9', 's7', 'o5']);
    expect(older.hasMore).toBe(true);
    const newer = mergeHistoryPages(page([entry('o5', 50), entry('o2', 20)]), page([entry('s3', 30), entry('s1', 10)]), { count: 3, order: 1 });
    expect(uids(newer)).toEqual(['s3', 'o2', 's1']);
  });

  it('prefers the owner\'s own entry for a message in both and carries hasMore', () => {
    const merged = mergeHistoryPages(page([entry('m', 10, 1)], true), page([entry('m', 10, 2)]), { count: 5, order: 0 });
    expect(merged.messages).toHaveLength(1);
    expect(merged.messages[0]!.direction).toBe(1);
    expect(merged.hasMore).toBe(true);
    expect(mergeHistoryPages(page([]), page([]), { count: 5, order: 0 })).toEqual({ messages: [], hasMore: false });
  });
});
