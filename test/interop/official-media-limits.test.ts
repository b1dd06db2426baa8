/**
 * Interop (issue #9): the OFFICIAL web client (@rongcloud/imlib-v2 2.9.2 on engine 4.4.2) does not check
 * the seed's media rules before sending, so the server does: a SightMessage over 120 s and a GIFMessage
 * over 2 MB (`gifDataSize` in bytes) get PUBACK status 34002 / 34003, which 2.9.2 hands to the app as
 * `onError(34002)` / `onError(34003)`; the receiver gets nothing. Messages at the limits go through.
 */
import { ConversationType } from '../support/official-client/official-message';
import { delay, expectOk, useInteropServer } from '../support/official-client/interop-fixture';

const PRIVATE = ConversationType.PRIVATE;
const MB2 = 2 * 1024 * 1024;
const fx = useInteropServer();

describe('official web client 2.9.2: media rules enforced by the server', () => {
  test('over-limit sight and GIF fail with 34002 / 34003; at the limits they arrive', async () => {
    const alice = await fx.online('alice');
    const bob = await fx.online('bob');
    const sight = (duration: number) => ({ className: 'SightMessage', content: { sightUrl: 'https://example.com/s.mp4', content: '', duration, size: 10, name: 's.mp4' } });
    const gif = (gifDataSize: number) => ({ className: 'GIFMessage', content: { gifDataSize, remoteUrl: 'https://example.com/a.gif', width: 1, height: 1 } });
    expect(await alice.client.sendMessage(PRIVATE, bob.userId, sight(121))).toMatchObject({ ok: false, code: 34002 });
    expect(await alice.client.sendMessage(PRIVATE, bob.userId, gif(MB2 + 1))).toMatchObject({ ok: false, code: 34003 });
    const okSight = expectOk(await alice.client.sendMessage(PRIVATE, bob.userId, sight(120)), 'sight at 120 s');
    const okGif = expectOk(await alice.client.sendMessage(PRIVATE, bob.userId, gif(MB2)), 'GIF at 2 MB');
    await bob.client.nextMessage((m) => m.messageUId === okGif.messageUId, 10_000);
    await delay(300);
    expect(bob.client.messages.map((m) => m.messageUId)).toEqual([okSight.messageUId, okGif.messageUId]);
  });
});
