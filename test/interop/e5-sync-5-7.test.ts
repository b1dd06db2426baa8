/**
 * Connection and offline sync of the official imlib-next 5.7.3 against our server: dropped sockets (once and flapping),
 * kicks (/user/block) and expired tokens, disconnect / connect on one page, large offline backlogs (250 from several
 * conversations, 300 across several pull pages with not-stored messages pushed meanwhile), not-stored messages mixed with
 * stored ones (private and group, online and offline), and own sends while the user's other page catches up.
 */
import { MULTI_DEVICE_APP } from '../support/official-client/interop-fixture';
import { GROUP, PRIVATE, sleep, textOf, useE5AppSession } from '../support/official-client-e5/e5-app-session';
import type { E5HistoryPage } from '../support/official-client-e5/e5-app-session';
import type { E5Client, E5Message } from '../support/official-client-e5/launch-e5-client';

const APP = MULTI_DEVICE_APP;

describe('official imlib-next 5.7.3: connection and offline sync', () => {
  const { fixture, api, publish, launch, expectClean } = useE5AppSession('5.7');
  /** The sender of the Server API messages (no page). */
  const bobId = fixture.newUserId('bob');

  it('reconnect: a dropped socket reconnects on its own and messages sent meanwhile arrive once', async () => {
    const ivy = fixture.newUserId('ivy');
    const page = await launch('ivy', ivy);
    const connects = (): number => page.statuses.filter((s) => s.status === 'CONNECTED').length;
    const before = connects();
    await page.dropSockets();
    await publish(bobId, ivy, 'while dropped');
    for (let i = 0; i < 150 && connects() === before; i++) await sleep(100);
    expect(connects()).toBe(before + 1);
    await page.nextMessage((m) => textOf(m) === 'while dropped', 15_000);
    await publish(bobId, ivy, 'after reconnect');
    await page.nextMessage((m) => textOf(m) === 'after reconnect', 10_000);
    await sleep(800);
    expect(page.messages.filter((m) => textOf(m) === 'while dropped')).toHaveLength(1);
    expectClean(page);
    await page.kill();
  });

  it('kicked by the Server API (/user/block): DISCONNECT 31011 (5.7.3 maps reason BLOCK to RC_DISCONN_EXCEPTION), no reconnect', async () => {
    const jay = fixture.newUserId('jay');
    const page = await launch('jay', jay);
    expect((await api().post('/user/block.json', { userId: jay, minute: 10 })).status).toBe(200);
    const st = await page.waitForStatus('DISCONNECT', 10_000);
    expect(st.code).toBe(31011);
    await sleep(1500);
    expect(page.statuses.filter((x) => x.status === 'CONNECTED')).toHaveLength(1);
    await page.kill();
    await api().post('/user/unblock.json', { userId: jay });
  });

  it('tokens expired by the Server API: a live 5.7.3 session stays; after a dropped socket its reconnect is refused with 31020', async () => {
    const fay = fixture.newUserId('fay');
    const page = await launch('fay', fay);
    const res = await api().post<{ code: number }>('/user/token/expire.json', { userId: fay, time: Date.now() + 1000 });
    expect(res.body.code).toBe(200);
    await sleep(300);
    await page.dropSockets();
    const st = await page.waitForStatus('DISCONNECT', 15_000).catch(() => undefined);
    expect(st?.code).toBe(31020);
    await page.kill();
  });

  it('disconnect then connect again on the same page: offline messages arrive once, in order, with their unread count', async () => {
    const gina = fixture.newUserId('gina');
    const kim = fixture.newUserId('kim');
    const page = await launch('kim', kim);
    await page.call('disconnect');
    await sleep(300);
    for (let i = 0; i < 5; i++) {
      await publish(gina, kim, `off${i}`);
      await sleep(10);
    }
    const seen = page.messages.length;
    expect((await page.connect(await fixture.tokenFor(kim, APP))).code).toBe(0);
    await page.nextMessage((m) => textOf(m) === 'off4', 15_000);
    await sleep(1500);
    const got = page.messages.slice(seen).filter((m) => String(textOf(m)).startsWith('off')).map(textOf);
    expect(got).toEqual(['off0', 'off1', 'off2', 'off3', 'off4']);
    expect(await page.ok<number>('getUnreadCount', { conversationType: PRIVATE, targetId: gina })).toBe(5);
    await page.kill();
  });

  it('offline sync of many messages (250 from 5 senders, private and group) on a fresh page: all once, per-conversation order', async () => {
    const lee = fixture.newUserId('lee');
    const senders = Array.from({ length: 5 }, (_, i) => fixture.newUserId(`s${i}`));
    const groupId = fixture.newUserId('bulkg');
    expect((await api().post('/group/create.json', { userId: [lee, ...senders], groupId, groupName: 'bulk' })).status).toBe(200);
    const total = 250;
    for (let i = 0; i < total; i++) {
      const from = senders[i % senders.length]!;
      // Paced: the Server API's group publish limit answers 429 past it.
      const res = i % 5 === 4
        ? await sleep(60).then(() => api().post('/message/group/publish.json', { fromUserId: from, toGroupId: groupId, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: `bulk ${i}` }) }))
        : await publish(from, lee, `bulk ${i}`);
      expect({ i, status: res.status }).toEqual({ i, status: 200 });
    }
    const page = await launch('lee', lee);
    const deadline = Date.now() + 40_000;
    const bulk = (): E5Message[] => page.messages.filter((m) => String(textOf(m)).startsWith('bulk '));
    while (bulk().length < total && Date.now() < deadline) await sleep(250);
    await sleep(1_000);
    const got = bulk().map((m) => Number(String(textOf(m)).slice(5)));
    const missing = Array.from({ length: total }, (_, i) => i).filter((i) => !got.includes(i));
    if (missing.length > 0) {
      console.log('MISSING', JSON.stringify(missing), '\n', page.logs().split('\n').filter((l) => /pull_msg|s_ntf|s_msg/.test(l)).join('\n').slice(-20000));
    }
    expect(missing).toEqual([]);
    expect(got.length).toBe(total);
    expect(new Set(got).size).toBe(total);
    const ordered = [...got].sort((a, b) => a - b);
    expect(ordered).toEqual(Array.from({ length: total }, (_, i) => i));
    // per conversation, in the order sent
    for (const s of senders) {
      const seq = bulk().filter((m) => m.conversationType === PRIVATE && m.targetId === s).map((m) => Number(String(textOf(m)).slice(5)));
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
    }
    expect(await page.ok<number>('getUnreadCount', { conversationType: PRIVATE, targetId: senders[0]! })).toBe(50);
    expect(await page.ok<number>('getUnreadCount', { conversationType: GROUP, targetId: groupId })).toBe(50);
    expectClean(page);
    await page.kill();
  });

  it('not-stored messages from a peer client mixed with stored ones, while a second page of the recipient connects', async () => {
    const mo = fixture.newUserId('mo');
    const nat = fixture.newUserId('nat');
    const sender = await launch('mo', mo);
    const first = await launch('nat1', nat);
    await sleep(500);
    const rounds = 12;
    let second: E5Client | undefined;
    for (let i = 0; i < rounds; i++) {
      await sleep(450); // stay under 5 sends/s on mo's connection
      await sender.sendText(PRIVATE, nat, `mix stored ${i}`);
      await sender.ok('sendMessage', { conversationType: PRIVATE, targetId: nat }, { $message: 'TextMessage', content: { content: `mix status ${i}` } }, { isStatusMessage: true });
      if (i === 4) second = await launch('nat2', nat);
    }
    await first.nextMessage((m) => textOf(m) === `mix stored ${rounds - 1}`, 15_000);
    await second!.nextMessage((m) => textOf(m) === `mix stored ${rounds - 1}`, 15_000);
    await sleep(1500);
    for (const page of [first, second!]) {
      const stored = page.messages.filter((m) => String(textOf(m)).startsWith('mix stored')).map((m) => String(textOf(m)));
      expect([...stored].sort()).toEqual(Array.from({ length: rounds }, (_, i) => `mix stored ${i}`).sort());
      expect(new Set(stored).size).toBe(stored.length);
    }
    expect(first.messages.filter((m) => String(textOf(m)).startsWith('mix status')).length).toBe(rounds);
    // not stored: not in history
    const hist = await first.ok<E5HistoryPage>('getRemoteHistoryMessages', { conversationType: PRIVATE, targetId: mo }, { timestamp: 0, count: 50, order: 0 });
    expect(hist.list.map(textOf).filter((t) => String(t).startsWith('mix status'))).toEqual([]);
    await sender.kill();
    await first.kill();
    await second!.kill();
  });

  it('not-stored Server API messages published while the recipient is offline are not delivered later; stored ones are', async () => {
    const oz = fixture.newUserId('oz');
    const pat = fixture.newUserId('pat');
    for (let i = 0; i < 3; i++) {
      await publish(oz, pat, `stored off ${i}`);
      await api().post('/message/private/publish.json', { fromUserId: oz, toUserId: pat, objectName: 'App:Live', content: JSON.stringify({ n: i }), isPersisted: 0 });
    }
    const page = await launch('pat', pat);
    await page.nextMessage((m) => textOf(m) === 'stored off 2', 15_000);
    await sleep(1000);
    expect(page.messages.filter((m) => String(textOf(m)).startsWith('stored off')).map(textOf)).toEqual(['stored off 0', 'stored off 1', 'stored off 2']);
    expect(page.messages.filter((m) => m.messageType === 'App:Live')).toEqual([]);
    await page.kill();
  });

  it('group: not-stored and stored Server API messages side by side reach every 5.7.3 member, all of them', async () => {
    const groupId = fixture.newUserId('mixg');
    const q = fixture.newUserId('q');
    const r = fixture.newUserId('r');
    const qc = await launch('q', q);
    const rc = await launch('r', r);
    expect((await api().post('/group/create.json', { userId: [q, r], groupId, groupName: 'mix' })).status).toBe(200);
    await sleep(500);
    const from = fixture.newUserId('gsrc');
    const rounds = 15;
    for (let i = 0; i < rounds; i++) {
      await Promise.all([
        api().post('/message/group/publish.json', { fromUserId: from, toGroupId: groupId, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: `g stored ${i}` }) }),
        sleep(i % 3).then(() => api().post('/message/group/publish.json', { fromUserId: from, toGroupId: groupId, objectName: 'App:Live', content: JSON.stringify({ n: i }), isPersisted: 0 })),
      ]);
      await sleep(30);
    }
    for (const page of [qc, rc]) {
      await page.nextMessage((m) => textOf(m) === `g stored ${rounds - 1}`, 15_000);
    }
    await sleep(1500);
    for (const page of [qc, rc]) {
      const stored = page.messages.filter((m) => String(textOf(m)).startsWith('g stored')).map((m) => String(textOf(m)));
      expect([...stored].sort()).toEqual(Array.from({ length: rounds }, (_, i) => `g stored ${i}`).sort());
      expect(page.messages.filter((m) => m.messageType === 'App:Live')).toHaveLength(rounds);
    }
    await qc.kill();
    await rc.kill();
  });

  it('a long offline backlog (300, several pull pages) with not-stored messages pushed during the pull: every stored one once, the not-stored ones shown', async () => {
    const abe = fixture.newUserId('abe');
    const src = fixture.newUserId('src');
    for (let i = 0; i < 300; i++) {
      const res = await publish(src, abe, `back ${i}`);
      expect({ i, status: res.status }).toEqual({ i, status: 200 });
    }
    const launching = launch('abe', abe);
    let live = 0;
    const stop = Date.now() + 4_000;
    const pushes = (async () => {
      while (Date.now() < stop) {
        await api().post('/message/private/publish.json', { fromUserId: src, toUserId: abe, objectName: 'App:Live', content: JSON.stringify({ n: live++ }), isPersisted: 0 });
        await sleep(40);
      }
    })();
    const page = await launching;
    await pushes;
    await publish(src, abe, 'back end');
    await page.nextMessage((m) => textOf(m) === 'back end', 20_000);
    await sleep(1_500);
    const got = page.messages.filter((m) => String(textOf(m)).startsWith('back ') && textOf(m) !== 'back end').map((m) => Number(String(textOf(m)).slice(5)));
    const missing = Array.from({ length: 300 }, (_, i) => i).filter((i) => !got.includes(i));
    expect(missing).toEqual([]);
    expect(got.length).toBe(300);
    // Not stored: best effort, but held while the client pulls (transient-hold.ts) rather than dropped.
    // Those published before the session existed are gone (not stored); once it is connected, none may be lost.
    const liveNs = page.messages.filter((m) => m.messageType === 'App:Live').map((m) => Number(m.content['n']));
    const firstSeen = Math.min(...liveNs);
    const lost = Array.from({ length: live }, (_, n) => n).filter((n) => n > firstSeen && !liveNs.includes(n));
    const pulls = (page.logs().match(/L-pull_msg-T/g) ?? []).length;
    expect({ lost, dup: liveNs.length - new Set(liveNs).size }).toEqual({ lost: [], dup: 0 });
    expect(pulls).toBeLessThan(60);
    await page.kill();
  });

  it('own sends from one page while the other page of the user reconnects with a backlog: all arrive, no pull storm', async () => {
    const cy = fixture.newUserId('cy');
    const peer = fixture.newUserId('peer');
    const p1 = await launch('cy1', cy);
    const p2 = await launch('cy2', cy);
    await p2.call('disconnect');
    for (let i = 0; i < 120; i++) await publish(peer, cy, `cyb ${i}`);
    const reconnect = p2.connect(await fixture.tokenFor(cy, APP));
    const sentUids: string[] = [];
    for (let i = 0; i < 8; i++) {
      sentUids.push((await p1.sendText(PRIVATE, peer, `own ${i}`)).messageUId);
      const statusOk = await p1.call('sendMessage', { conversationType: PRIVATE, targetId: peer }, { $message: 'TextMessage', content: { content: `own status ${i}` } }, { isStatusMessage: true });
      expect(statusOk.code).toBe(0);
      await sleep(420);
    }
    expect((await reconnect).code).toBe(0);
    await p2.nextMessage((m) => textOf(m) === 'cyb 119', 15_000);
    await p2.nextMessage((m) => m.messageUId === sentUids[7], 15_000);
    await sleep(2_000);
    const pullsBefore = (p2.logs().match(/L-pull_msg-T/g) ?? []).length;
    await sleep(2_000);
    const pullsAfter = (p2.logs().match(/L-pull_msg-T/g) ?? []).length;
    expect(pullsAfter - pullsBefore).toBeLessThan(3);
    const own = p2.messages.filter((m) => String(textOf(m)).startsWith('own ') && !String(textOf(m)).startsWith('own status')).map((m) => m.messageUId);
    expect([...new Set(own)].sort()).toEqual([...sentUids].sort());
    expect(own.length).toBe(sentUids.length);
    const backlog = p2.messages.filter((m) => String(textOf(m)).startsWith('cyb ')).length;
    expect(backlog).toBe(120);
    await p1.kill();
    await p2.kill();
  });

  it('flapping connection: three dropped sockets while messages flow, every stored message once', async () => {
    const ida = fixture.newUserId('ida');
    const page = await launch('ida', ida);
    const connects = (): number => page.statuses.filter((x) => x.status === 'CONNECTED').length;
    let n = 0;
    for (let round = 0; round < 3; round++) {
      const before = connects();
      await page.dropSockets();
      for (let i = 0; i < 4; i++) await publish(bobId, ida, `flap ${n++}`);
      for (let i = 0; i < 150 && connects() === before; i++) await sleep(100);
      for (let i = 0; i < 3; i++) await publish(bobId, ida, `flap ${n++}`);
    }
    await page.nextMessage((m) => textOf(m) === `flap ${n - 1}`, 15_000);
    await sleep(1_000);
    const got = page.messages.filter((m) => String(textOf(m)).startsWith('flap ')).map((m) => String(textOf(m)));
    expect([...got].sort()).toEqual(Array.from({ length: n }, (_, i) => `flap ${i}`).sort());
    expectClean(page);
    await page.kill();
  });
});
