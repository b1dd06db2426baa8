/**
 * The UX audit's defects of the web demo (`/`) and the admin console (`/console`), each driven in REAL
 * headless Chromium against the real server as `npm start` runs it: console logout really ends the
 * session; a chat opens at its newest message and stays there while an image loads; a failed send
 * keeps the draft and explains the code; a refused chatroom join leaves the view as it was; the status
 * bar speaks words and offers Reconnect after a kick; re-opening the open room keeps it and starts no
 * second poller; recalled messages and private read marks survive a reload; the statistics lay out
 * side by side and "Raw numbers" stays open; the console can lift chatroom bans and mutes, shows an
 * action's answer next to its form and asks before destroying; nothing overflows a 390 px phone;
 * Connect cannot be double-started; a long user id is cut with an ellipsis. Needs `npm run build`.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { consoleAction, openConversation, openDemo, send, shot, useDemoSuite } from './web-demo-support';

jest.setTimeout(120_000);


const { run: RUN, ready, track, user, admin, wait } = useDemoSuite();

async function publish(from: string, to: string, text: string): Promise<void> {
  const sent = await ready().devApi.post('message/private/publish', { fromUserId: from, toUserId: to, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: text }) });
  expect(sent.body).toMatchObject({ code: 200 });
}

/** Reloads the page and connects again as the same user. */
async function reconnect(page: Page, userId: string): Promise<void> {
  await page.reload();
  await page.getByLabel('User ID', { exact: true }).fill(userId);
  await page.getByRole('button', { name: 'Connect' }).click();
  await wait(page, 'reconnected', page.locator('#status', { hasText: `connected as ${userId}` }).waitFor());
}

/** How far (px) the message list is from its bottom. */
const FROM_BOTTOM = '(() => { const m = document.getElementById("messages"); return m.scrollHeight - m.scrollTop - m.clientHeight; })()';
/** The message list's scrollTop once it has not moved for five frames (a wheel scroll animates). */
const SETTLED_TOP = `new Promise((resolve) => {
  const m = document.getElementById("messages");
  let last = -1, same = 0;
  const tick = () => { if (m.scrollTop === last) { if (++same >= 5) return resolve(m.scrollTop); } else { same = 0; last = m.scrollTop; } requestAnimationFrame(tick); };
  tick();
})`;
const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });

/** A solid-colour RGB PNG of the given size (big enough to change the list's height when it loads). */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.alloc(1 + width * 3, 0x5a);
  row[0] = 0;
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

describe('web demo chat: audit fixes', () => {
  it('a chat opens at its newest message, "Load older" keeps the view, and a big image keeps the list at the bottom', async () => {
    const alice = await user('sa');
    const bob = await user('sb');
    for (let i = 1; i <= 30; i++) await publish(bob.id, alice.id, `line ${String(i).padStart(2, '0')}\nsecond row`);
    await openConversation(alice.page, 'Private', bob.id);
    await wait(alice.page, 'newest shown', alice.page.locator('.msg .bubble', { hasText: 'line 30' }).waitFor());
    expect(await alice.page.evaluate<number>('document.getElementById("messages").scrollHeight > document.getElementById("messages").clientHeight')).toBe(true);
    expect(await alice.page.evaluate<number>(FROM_BOTTOM)).toBeLessThanOrEqual(2);

    // Load older: the message that was on top before stays where it was (no jump to the very top).
    await alice.page.evaluate('document.getElementById("messages").scrollTop = 0');
    const before = await alice.page.locator('.msg', { hasText: 'line 11' }).boundingBox();
    await alice.page.getByRole('button', { name: 'Load older messages' }).click();
    await wait(alice.page, 'older page', alice.page.locator('.msg .bubble', { hasText: 'line 01' }).waitFor());
    const after = await alice.page.locator('.msg', { hasText: 'line 11' }).boundingBox();
    expect(Math.abs((after?.y ?? 0) - (before?.y ?? 1000))).toBeLessThanOrEqual(2);

    // A 1200×900 image: both lists stay pinned to the bottom once it has loaded.
    await openConversation(bob.page, 'Private', alice.id);
    await alice.page.evaluate('document.getElementById("messages").scrollTop = 1e9');
    await alice.page.setInputFiles('#image-input', { name: 'big.png', mimeType: 'image/png', buffer: png(1200, 900) });
    for (const page of [alice.page, bob.page]) {
      await wait(page, 'image decoded', page.waitForFunction('(() => { const i = document.querySelector(".msg img"); return i !== null && i.complete && i.naturalWidth === 1200; })()'), 30_000);
      await wait(page, 'pinned to the bottom', page.waitForFunction(`${FROM_BOTTOM} <= 2`));
    }
    await shot(bob.page, 'ux-image-at-bottom');
  });

  it('an image whose size arrives before its last bytes keeps a following list at the bottom, and leaves a scrolled-up list where it is', async () => {
    // A loopback image host that sends all but the last 12 bytes (the PNG's IEND) and holds those until
    // released: the browser knows the image's size long before its load event, as on a slow network.
    const image = png(1200, 900);
    const held: ServerResponse[] = [];
    const host = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': image.length, 'cache-control': 'no-store' });
      res.write(image.subarray(0, image.length - 12));
      held.push(res);
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    const release = (): void => {
      for (const res of held.splice(0)) res.end(image.subarray(image.length - 12));
    };
    try {
      const alice = await user('ia');
      const bob = await user('ib');
      for (let i = 1; i <= 20; i++) await publish(bob.id, alice.id, `line ${String(i).padStart(2, '0')}\nsecond row`);
      await openConversation(alice.page, 'Private', bob.id);
      await wait(alice.page, 'newest shown', alice.page.locator('.msg .bubble', { hasText: 'line 20' }).waitFor());
      const img = (name: string) => `document.querySelector('.msg img[src="${base}/${name}"]')`;
      const postImage = async (name: string): Promise<void> => {
        const sent = await ready().devApi.post('message/private/publish', { fromUserId: bob.id, toUserId: alice.id, objectName: 'RC:ImgMsg', content: JSON.stringify({ content: '', imageUri: `${base}/${name}` }) });
        expect(sent.body).toMatchObject({ code: 200 });
      };

      // At the bottom: the list follows the image as it gets its size, and stays there once it has loaded.
      await postImage('a.png');
      await wait(alice.page, 'size known, bytes pending', alice.page.waitForFunction(`(() => { const i = ${img('a.png')}; return i !== null && i.offsetHeight > 100 && !i.complete; })()`));
      await wait(alice.page, 'pinned while loading', alice.page.waitForFunction(`${FROM_BOTTOM} <= 2`));
      release();
      await wait(alice.page, 'loaded', alice.page.waitForFunction(`(() => { const i = ${img('a.png')}; return i.complete && i.naturalWidth === 1200; })()`));
      expect(await alice.page.evaluate<number>(FROM_BOTTOM)).toBeLessThanOrEqual(2);

      // Scrolled up to read: a new image neither pulls the list down while loading nor once loaded.
      await alice.page.locator('.msg', { hasText: 'line 05' }).scrollIntoViewIfNeeded();
      await alice.page.mouse.move(400, 300);
      await alice.page.mouse.wheel(0, -200);
      await wait(alice.page, 'scrolled up', alice.page.waitForFunction(`${FROM_BOTTOM} > 200`));
      const top = await wait(alice.page, 'scroll settled', alice.page.evaluate<number>(SETTLED_TOP));
      await postImage('b.png');
      await wait(alice.page, 'second size known', alice.page.waitForFunction(`(() => { const i = ${img('b.png')}; return i !== null && i.offsetHeight > 100; })()`));
      release();
      await wait(alice.page, 'second loaded', alice.page.waitForFunction(`(() => { const i = ${img('b.png')}; return i.complete && i.naturalWidth === 1200; })()`));
      expect(await alice.page.evaluate<number>('document.getElementById("messages").scrollTop')).toBe(top);
    } finally {
      release();
      await new Promise<void>((resolve) => host.close(() => resolve()));
    }
  });

  it('a failed send keeps the typed text and explains the code', async () => {
    const alice = await user('fa');
    const bob = await user('fb');
    await openConversation(alice.page, 'Private', bob.id);
    await bob.page.getByLabel('User ID to block').fill(alice.id);
    await bob.page.getByRole('button', { name: 'Add to blacklist' }).click();
    await wait(bob.page, 'listed', bob.page.locator(`#blacklist li[data-user="${alice.id}"]`).waitFor());
    await send(alice.page, 'important draft text');
    await wait(alice.page, 'send fails', alice.page.locator('#send-error', { hasText: '405' }).waitFor());
    expect(await composer(alice.page).inputValue()).toBe('important draft text');
    expect(await alice.page.locator('#send-error').textContent()).toContain('405 REJECTED_BY_BLACKLIST');
    expect(await alice.page.locator('.msg.mine').count()).toBe(0);
  });

  it('the status bar speaks words: offline disables the composer and keeps the draft; after a kick it offers Reconnect', async () => {
    const bob = await user('kb');
    await openConversation(bob.page, 'Private', `peer-${RUN}`);
    await composer(bob.page).fill('draft while offline');
    await bob.page.context().setOffline(true);
    await wait(bob.page, 'offline shown', bob.page.locator('#status', { hasText: /reconnecting|retrying|connecting|network/ }).waitFor());
    expect(await bob.page.locator('#status').textContent()).not.toMatch(/status \d/);
    expect(await composer(bob.page).isDisabled()).toBe(true);
    expect(await composer(bob.page).inputValue()).toBe('draft while offline');
    await bob.page.context().setOffline(false);
    await wait(bob.page, 'back online', bob.page.locator('#status', { hasText: `connected as ${bob.id}` }).waitFor(), 30_000);
    expect(await composer(bob.page).isEnabled()).toBe(true);

    // The same user signs in elsewhere: this window says so, disables the chat and offers Reconnect.
    const other = await openDemo(ready(), bob.id);
    track(other);
    await wait(bob.page, 'kicked shown', bob.page.locator('#status', { hasText: 'signed in elsewhere' }).waitFor());
    expect(await composer(bob.page).isDisabled()).toBe(true);
    await shot(bob.page, 'ux-kicked');
    await bob.page.getByRole('button', { name: 'Reconnect' }).click();
    await wait(bob.page, 'reconnected', bob.page.locator('#status', { hasText: `connected as ${bob.id}` }).waitFor());
    expect(await bob.page.getByRole('button', { name: 'Reconnect' }).isHidden()).toBe(true);
    await send(bob.page, 'back again');
    await wait(bob.page, 'sent after reconnect', bob.page.locator('.msg.mine .bubble', { hasText: 'back again' }).waitFor());
  });

  it('recalled messages keep their placeholder and private read marks stay after a reload', async () => {
    const alice = await user('ra');
    const bob = await user('rb');
    await openConversation(alice.page, 'Private', bob.id);
    await send(alice.page, 'first');
    await send(alice.page, 'second');
    await send(alice.page, 'third');
    await wait(alice.page, 'third sent', alice.page.locator('.msg.mine .bubble', { hasText: 'third' }).waitFor());
    await openConversation(bob.page, 'Private', alice.id);
    await wait(alice.page, 'read', alice.page.locator('.msg.mine', { hasText: 'third' }).locator('.receipt', { hasText: 'Read' }).waitFor());
    await alice.page.locator('.msg.mine', { hasText: 'second' }).getByRole('button', { name: 'Recall this message' }).click();
    await wait(bob.page, 'recall reaches bob', bob.page.locator('.msg.recalled').waitFor());

    const expected = ['first', 'This message was recalled', 'third'];
    for (const [page, id, other] of [[alice.page, alice.id, bob.id], [bob.page, bob.id, alice.id]] as const) {
      await reconnect(page, id);
      await openConversation(page, 'Private', other);
      await wait(page, 'history', page.locator('.msg .bubble', { hasText: 'third' }).waitFor());
      expect(await page.locator('#messages .msg .bubble').allTextContents()).toEqual(expected);
      expect(await page.locator('.msg.recalled').count()).toBe(1);
    }
    expect(await alice.page.locator('.msg.recalled .recall').count()).toBe(0);
    expect(await alice.page.locator('.msg.mine', { hasText: 'third' }).locator('.receipt').textContent()).toBe('Read');
    await shot(alice.page, 'ux-recalled-after-reload');
  });

  it('Connect cannot be started twice, and a 64-character user id is cut with an ellipsis', async () => {
    const id = `long${RUN}`.padEnd(64, 'x');
    const page = await ready().session.newPage();
    track(page);
    await page.setViewportSize({ width: 800, height: 700 });
    await wait(page, 'load', page.goto(`${ready().server.url}/`));
    await page.getByLabel('User ID', { exact: true }).fill(id);
    await page.getByRole('button', { name: 'Connect' }).dblclick();
    await wait(page, 'connected', page.locator('#status', { hasText: `connected as ${id}` }).waitFor());
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(ready().session.logOf(page)).not.toContain('Repeat initialize');
    expect(await page.locator('#login-error').textContent()).toBe('');
    const fit = await page.evaluate<{ clipped: boolean; linkRight: number; width: number }>(`(() => {
      const s = document.getElementById('status');
      return { clipped: s.scrollWidth > s.clientWidth, linkRight: document.querySelector('.console-link').getBoundingClientRect().right, width: window.innerWidth };
    })()`);
    expect(fit.clipped).toBe(true);
    expect(fit.linkRight).toBeLessThanOrEqual(fit.width);
    expect(await page.locator('#status').getAttribute('title')).toBe(`connected as ${id}`);
  });

  it('a 390 px phone: one column, no sideways scrolling, usable file buttons', async () => {
    const page = await ready().session.newPage();
    track(page);
    await page.setViewportSize({ width: 390, height: 844 });
    await wait(page, 'load', page.goto(`${ready().server.url}/`));
    const id = `ph-${RUN}`;
    await page.getByLabel('User ID', { exact: true }).fill(id);
    await page.getByRole('button', { name: 'Connect' }).click();
    await wait(page, 'connected', page.locator('#status', { hasText: `connected as ${id}` }).waitFor());
    await openConversation(page, 'Private', `alice-${RUN}`);
    await send(page, 'hi from phone');
    await wait(page, 'sent', page.locator('.msg.mine .bubble', { hasText: 'hi from phone' }).waitFor());
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    const chat = await page.locator('#chat').boundingBox();
    expect(chat?.width ?? 0).toBeGreaterThan(300);
    for (const label of ['🖼 Image', '📎 File']) {
      const box = await page.locator('label.file-label', { hasText: label }).boundingBox();
      expect((box?.x ?? 999) + (box?.width ?? 0)).toBeLessThanOrEqual(390);
    }
    await shot(page, 'ux-phone-chat');

    const consolePage = await ready().session.newPage();
    track(consolePage);
    await consolePage.setViewportSize({ width: 390, height: 844 });
    await wait(consolePage, 'console', consolePage.goto(`${ready().server.url}/console`));
    await consolePage.getByLabel('Admin password').fill(ready().adminPassword);
    await consolePage.getByRole('button', { name: 'Log in' }).click();
    await wait(consolePage, 'apps table', consolePage.locator(`tr[data-app="${ready().devAppKey}"]`).waitFor());
    expect(await consolePage.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot(consolePage, 'ux-phone-console');
  });
});

describe('chatrooms: refused joins, re-opening, console unban/unmute', () => {
  it('a banned user cannot open the room (view unchanged, 23409 explained) until the console unbans; unmute lifts a mute', async () => {
    const console = await admin();
    const room = `ban${RUN}`;
    expect(await consoleAction(console, 'Chatrooms', 'chatroom/create', { chatroomId: room })).toContain('"code": 200');
    const bob = await user('cb');
    await openConversation(bob.page, 'Private', `friend-${RUN}`);
    expect(await consoleAction(console, 'Chatrooms', 'chatroom/user/block/add', { chatroomId: room, userId: bob.id, minute: '60' })).toContain('"code": 200');

    await bob.page.getByLabel('Type').selectOption({ label: 'Chatroom' });
    await bob.page.getByLabel('Target ID').fill(room);
    await bob.page.getByRole('button', { name: 'Open' }).click();
    await wait(bob.page, 'refused', bob.page.locator('#send-error', { hasText: '23409' }).waitFor());
    expect(await bob.page.locator('#send-error').textContent()).toContain('banned from this chatroom');
    expect(await bob.page.locator('#chat-title').textContent()).toBe(`Private · friend-${RUN}`);
    expect(await bob.page.locator('#room-panel').isHidden()).toBe(true);
    await shot(bob.page, 'ux-banned-room');

    expect(await consoleAction(console, 'Chatrooms', 'chatroom/user/block/rollback', { chatroomId: room, userId: bob.id })).toContain('"code": 200');
    await openConversation(bob.page, 'Chatroom', room);
    await wait(bob.page, 'room panel', bob.page.locator('#room-panel').waitFor());

    expect(await consoleAction(console, 'Chatrooms', 'chatroom/user/gag/add', { chatroomId: room, userId: bob.id, minute: '60' })).toContain('"code": 200');
    await send(bob.page, 'muted?');
    await wait(bob.page, 'muted send fails', bob.page.locator('#send-error', { hasText: '23408' }).waitFor());
    expect(await consoleAction(console, 'Chatrooms', 'chatroom/user/gag/rollback', { chatroomId: room, userId: bob.id })).toContain('"code": 200');
    await wait(bob.page, 'composer refilled', bob.page.waitForFunction('document.getElementById("composer").value === "muted?"'));
    await composer(bob.page).press('Enter');
    await wait(bob.page, 'unmuted send works', bob.page.locator('.msg.mine .bubble', { hasText: 'muted?' }).waitFor());

    // Whitelist remove and the message whitelist are there too.
    expect(await consoleAction(console, 'Chatrooms', 'chatroom/user/whitelist/add', { chatroomId: room, userId: bob.id })).toContain('"code": 200');
    expect(await consoleAction(console, 'Chatrooms', 'chatroom/user/whitelist/remove', { chatroomId: room, userId: bob.id })).toContain('"code": 200');
    expect(await consoleAction(console, 'Chatrooms', 'chatroom/user/whitelist/query', { chatroomId: room })).not.toContain(bob.id);
    expect(await consoleAction(console, 'Chatrooms', 'chatroom/whitelist/add', { objectnames: 'RC:ImgMsg' })).toContain('"code": 200');
    expect(await consoleAction(console, 'Chatrooms', 'chatroom/whitelist/query', {})).toContain('RC:ImgMsg');
    expect(await consoleAction(console, 'Chatrooms', 'chatroom/whitelist/delete', { objectnames: 'RC:ImgMsg' })).toContain('"code": 200');
    expect(await consoleAction(console, 'Chatrooms', 'chatroom/whitelist/query', {})).not.toContain('RC:ImgMsg');

    // A destroyed room: the send fails with the explained 23410 and the room view is left.
    console.once('dialog', (dialog) => void dialog.accept());
    expect(await consoleAction(console, 'Chatrooms', 'chatroom/destroy', { chatroomId: room })).toContain('"code": 200');
    await send(bob.page, 'anyone?');
    await wait(bob.page, 'room gone', bob.page.locator('#send-error', { hasText: '23410' }).waitFor());
    expect(await bob.page.locator('#send-error').textContent()).toContain('does not exist');
    expect(await bob.page.locator('#room-panel').isHidden()).toBe(true);
    expect(await bob.page.locator('#chat-title').textContent()).toBe('No conversation open');
  });

  it('re-opening the open room keeps its messages and starts no second poller; Leave room stops it', async () => {
    const room = `reo${RUN}`;
    expect((await ready().devApi.post('chatroom/create', { [`chatroom[${room}]`]: room })).body).toMatchObject({ code: 200 });
    const page = await ready().session.newPage();
    track(page);
    await page.addInitScript(`(() => {
      const si = window.setInterval, ci = window.clearInterval;
      window.__intervals = new Set();
      window.setInterval = (...a) => { const id = si(...a); window.__intervals.add(id); return id; };
      window.clearInterval = (id) => { window.__intervals.delete(id); return ci(id); };
    })()`);
    await wait(page, 'load', page.goto(`${ready().server.url}/`));
    const id = `ro-${RUN}`;
    await page.getByLabel('User ID', { exact: true }).fill(id);
    await page.getByRole('button', { name: 'Connect' }).click();
    await wait(page, 'connected', page.locator('#status', { hasText: `connected as ${id}` }).waitFor());
    const baseline = await page.evaluate<number>('window.__intervals.size');
    await openConversation(page, 'Chatroom', room);
    await send(page, 'still here');
    await wait(page, 'sent', page.locator('.msg.mine .bubble', { hasText: 'still here' }).waitFor());
    expect(await page.evaluate<number>('window.__intervals.size')).toBe(baseline + 1);
    for (let i = 0; i < 2; i++) {
      await page.getByRole('button', { name: 'Open' }).click();
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(await page.locator('.msg.mine .bubble').allTextContents()).toEqual(['still here']);
    expect(await page.evaluate<number>('window.__intervals.size')).toBe(baseline + 1);
    await openConversation(page, 'Private', `p-${RUN}`);
    expect(await page.evaluate<number>('window.__intervals.size')).toBe(baseline);

    await openConversation(page, 'Chatroom', room);
    await page.getByRole('button', { name: 'Leave room' }).click();
    await wait(page, 'left', page.locator('#chat-title', { hasText: 'No conversation open' }).waitFor());
    expect(await page.evaluate<number>('window.__intervals.size')).toBe(baseline);
    expect(await composer(page).isDisabled()).toBe(true);
  });
});

describe('admin console: audit fixes', () => {
  it('Log out ends the session: a reload shows the login form', async () => {
    const page = await admin();
    await page.getByRole('button', { name: 'Log out' }).click();
    await wait(page, 'login form', page.getByLabel('Admin password').waitFor());
    await page.reload();
    await wait(page, 'login form after reload', page.getByLabel('Admin password').waitFor());
    expect(await page.locator('#console').isHidden()).toBe(true);
    expect(await page.evaluate<boolean>(`fetch('/console/api/session').then((r) => r.json()).then((b) => b.authenticated)`)).toBe(false);
  });

  it('statistics: charts side by side, the counting start shown, "Raw numbers" stays open across refreshes', async () => {
    const page = await admin();
    await page.getByRole('tab', { name: 'Statistics' }).click();
    await wait(page, 'charts', page.locator('#chart-drops svg').waitFor());
    const online = await page.locator('#chart-online').boundingBox();
    const messages = await page.locator('#chart-messages').boundingBox();
    expect(online?.width ?? 0).toBeGreaterThan(350);
    expect(messages?.y).toBe(online?.y);
    expect((messages?.x ?? 0)).toBeGreaterThan((online?.x ?? 0) + (online?.width ?? 0) - 1);
    expect(await page.locator('#stats-since').textContent()).toContain('Counting since');
    await page.getByText('Raw numbers').click();
    await new Promise((resolve) => setTimeout(resolve, 3600));
    expect(await page.evaluate<boolean>('document.querySelector("#panel-stats details").open')).toBe(true);
    expect(await page.locator('#stats-raw').isVisible()).toBe(true);
    await shot(page, 'ux-console-stats');
  });

  it('an action answers under its own form, required fields are marked and enforced, destroy asks first', async () => {
    const page = await admin();
    await page.getByRole('tab', { name: 'Chatrooms' }).click();
    const create = page.locator('form[data-path="chatroom/create"]');
    await create.locator('[name="chatroomId"]').fill(`ans${RUN}`);
    await create.getByRole('button').click();
    const answer = create.locator('.action-answer');
    await wait(page, 'answer under the form', answer.waitFor());
    expect(await answer.textContent()).toContain('"code": 200');
    const box = await answer.boundingBox();
    expect((box?.y ?? 9999) + (box?.height ?? 0)).toBeLessThanOrEqual(page.viewportSize()?.height ?? 0);

    // Required: an empty Group ID is refused by the browser, nothing is sent.
    await page.getByRole('tab', { name: 'Groups' }).click();
    const group = page.locator('form[data-path="group/create"]');
    expect(await group.locator('label', { hasText: 'Group ID' }).textContent()).toContain('*');
    await page.evaluate('document.getElementById("result").textContent = ""');
    await group.getByRole('button').click();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await page.locator('#result').textContent()).toBe('');
    expect(await group.locator('[name="groupId"]').evaluate((el: unknown) => (el as { validity: { valueMissing: boolean } }).validity.valueMissing)).toBe(true);

    // Destroy asks; dismissing sends nothing.
    await page.getByRole('tab', { name: 'Chatrooms' }).click();
    const destroy = page.locator('form[data-path="chatroom/destroy"]');
    await destroy.locator('[name="chatroomId"]').fill(`ans${RUN}`);
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.dismiss();
    });
    await destroy.getByRole('button').click();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(asked).toContain(`ans${RUN}`);
    expect(await page.locator('#result').textContent()).toBe('');
  });
});
