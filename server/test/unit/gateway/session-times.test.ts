/**
 * Session keeps `lastSeen` and `presenceRefreshedAt` as offsets from `info.connectedAt` (P2 memory): the
 * values seen from outside must stay plain epoch milliseconds through construction, frames, polls and sets.
 */
import type { Frame } from '../../../../src/internal';
import { Session } from '../../../src/gateway/session';
import { mapRouter, type SessionInfo } from '../../../src/gateway/topic-router';
import type { Logger } from '../../../src/log';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const CONNECTED_AT = 1_700_000_000_000;

function harness(): { session: Session; setNow: (ms: number) => void; written: Frame[]; heartbeats: number[] } {
  let now = CONNECTED_AT + 7;
  const written: Frame[] = [];
  const heartbeats: number[] = [];
  const info: SessionInfo = { sessionId: 'n.1', appKey: 'k', userId: 'bob', platform: 'web', clientKind: 'E4', sdkVer: '2.9.2', transport: 'websocket', connectedAt: CONNECTED_AT };
  const session = new Session(
    info,
    { kind: 'websocket', write: (frame) => written.push(frame), close: () => undefined },
    { router: mapRouter({}), clock: { now: () => now }, log: quiet, maxSendRatePerSecond: 1000, onClosed: () => undefined, onHeartbeat: (s) => heartbeats.push(s.lastSeen) },
  );
  return { session, setNow: (ms) => (now = ms), written, heartbeats };
}

describe('Session times', () => {
  it('reports lastSeen in epoch ms from creation, frames and polls', () => {
    const { session, setNow, written, heartbeats } = harness();
    expect(session.lastSeen).toBe(CONNECTED_AT + 7);
    setNow(CONNECTED_AT + 15_000);
    session.receive({ kind: 'pingreq', dup: false, qos: 0, retain: false });
    expect(written.map((f) => f.kind)).toEqual(['pingresp']);
    expect(session.lastSeen).toBe(CONNECTED_AT + 15_000);
    expect(heartbeats).toEqual([CONNECTED_AT + 15_000]);
    setNow(CONNECTED_AT + 40_000);
    session.touch();
    expect(session.lastSeen).toBe(CONNECTED_AT + 40_000);
    session.lastSeen = CONNECTED_AT - 5; // a clock that went back still reads back exactly
    expect(session.lastSeen).toBe(CONNECTED_AT - 5);
  });

  it('starts presenceRefreshedAt at the connection and reads back what is set', () => {
    const { session } = harness();
    expect(session.presenceRefreshedAt).toBe(CONNECTED_AT);
    session.presenceRefreshedAt = CONNECTED_AT + 37_500;
    expect(session.presenceRefreshedAt).toBe(CONNECTED_AT + 37_500);
    session.presenceRefreshedAt = 12.5;
    expect(session.presenceRefreshedAt).toBe(12.5);
  });

  it('times the hold of not-stored messages with a monotonic clock: a wall clock stepped back delays no s_ntf', async () => {
    const { session, setNow, written } = harness();
    const start = CONNECTED_AT + 60_000;
    setNow(start);
    // An echo of a message that is not stored (UpStreamMessage field 1 = 0: no persisted bit) to an official 2.x session.
    session.deliver({ kind: 'echo', topic: 'ppMsgP', targetId: 'amy', upstream: Uint8Array.of(0x08, 0x00, 0x12, 0x00), sentTime: start, messageUId: 'U1' });
    expect(written.map((f) => f.kind)).toEqual(['publish', 'puback']);
    setNow(start - 3_600_000); // the wall clock steps back an hour
    session.push('s_ntf', 'bob', Uint8Array.of(0x08, 0x01), 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(written.map((f) => (f.kind === 'publish' ? f.topic : f.kind))).toEqual(['ppMsgP', 'puback', 's_ntf']);
    session.close();
  });
});
