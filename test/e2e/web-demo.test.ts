/**
 * The web demo (`/`) and the admin console (`/console`) in REAL headless Chromium against the real
 * server started as `npm start` starts it (`--dev-app`): two browser profiles chat as two users
 * (text, image upload, recall, read receipts, typing, unread badge), the console logs in with the
 * generated admin password, creates a group and a chatroom and mutes a member, whose send then fails
 * with the documented 22408 message; the chatroom view shows the member count and KV seats. Every
 * visible control of the demo (emoji panel open) and of every console tab has an accessible name.
 * Screenshots of the main screens go to test-artifacts/ (gitignored). Needs `npm run build`.
 */
import { bounded } from '../support/chromium';
import { consoleAction, openConsole as openConsoleAs, openConversation, openDemo as openDemoAs, send, shot, useDemoSuite, type DemoEnv } from './web-demo-support';

jest.setTimeout(120_000);

/** 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

const suite = useDemoSuite();
const RUN = suite.run;

function ready(): { env: DemoEnv; session: DemoEnv['session'] } {
  const env = suite.ready();
  return { env, session: env.session };
}

const openDemo = (userId: string) => openDemoAs(ready().env, userId);

/** The console after a refused wrong password, then the generated one. */
async function openConsole() {
  const { env: e } = ready();
  const page = await e.session.newPage();
  await bounded(e.session, page, 'load the console', page.goto(`${e.server.url}/console`));
  await page.getByLabel('Admin password').fill('wrong-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#login-error', { hasText: 'wrong password' }).waitFor();
  await page.context().close();
  return openConsoleAs(e);
}

/**
 * Visible form controls with no accessible name: no `<label for>`, no aria-label, and (buttons) no
 * text. Runs in the page (a string: the test project has no DOM typings).
 */
const UNLABELLED_CONTROLS = `(() => {
  const missing = [];
  for (const el of document.querySelectorAll('input, textarea, select, button')) {
    if (el.closest('[hidden]') !== null) continue;
    const byFor = el.id !== '' && document.querySelector('label[for="' + el.id + '"]') !== null;
    const named = byFor || el.getAttribute('aria-label') !== null || (el.tagName === 'BUTTON' && el.textContent.trim() !== '');
    if (!named) missing.push(el.outerHTML.slice(0, 80));
  }
  return missing;
})()`;

/**
 * Visible controls with no accessible name by the fuller rules (aria-label, aria-labelledby, a
 * `<label for>` or wrapping label with text, a button's text, a title). Runs in the page.
 */
const NAMELESS_CONTROLS = `(() => {
  const nameOf = (el) => {
    if (el.getAttribute('aria-label')) return el.getAttribute('aria-label');
    const by = el.getAttribute('aria-labelledby');
    if (by) return by.split(/\\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim();
    if (el.id) { const l = document.querySelector('label[for="' + CSS.escape(el.id) + '"]'); if (l && l.textContent.trim()) return l.textContent.trim(); }
    if (el.closest('label')) return el.closest('label').textContent.trim();
    if (el.tagName === 'BUTTON') return el.textContent.trim();
    return el.getAttribute('title') ?? '';
  };
  const visible = (el) => el.getClientRects().length > 0 || el.classList.contains('file-input');
  return [...document.querySelectorAll('button, input, select, textarea')].filter(visible).filter((el) => !nameOf(el)).map((el) => el.outerHTML.slice(0, 120));
})()`;

describe('web demo chat in headless Chromium', () => {
  it('two users chat: text, typing, unread badge, read receipt, image upload, recall', async () => {
    const { session: chromium } = ready();
    const alice = `alice-${RUN}`;
    const bob = `bob-${RUN}`;
    const a = await openDemo(alice);
    const b = await openDemo(bob);
    await shot(b, 'demo-connected');

    await openConversation(a, 'Private', bob);
    // Typing: Alice types, Bob (who has the conversation open) sees the indicator.
    await openConversation(b, 'Private', alice);
    await a.getByRole('textbox', { name: 'Message', exact: true }).pressSequentially('hel');
    await bounded(chromium, b, 'typing indicator', b.locator('#typing', { hasText: `${alice} is typing` }).waitFor());

    // Bob leaves for another conversation: Alice's messages raise his unread badge.
    await openConversation(b, 'Private', `nobody-${RUN}`);
    await send(a, 'hello bob 😀');
    await send(a, 'second message');
    const badge = b.locator(`button[data-key="1:${alice}"] .badge`);
    await bounded(chromium, b, 'unread badge 2', badge.filter({ hasText: '2' }).waitFor());
    await shot(b, 'demo-unread-badge');

    // Bob opens it: messages shown, badge cleared, Alice sees the private read receipt.
    await b.locator(`button[data-key="1:${alice}"]`).click();
    await bounded(chromium, b, 'history shows the text', b.locator('.msg.theirs .bubble', { hasText: 'second message' }).waitFor());
    expect(await b.locator('.msg.theirs .bubble').first().textContent()).toContain('hello bob');
    await bounded(chromium, b, 'badge cleared', badge.waitFor({ state: 'detached' }));
    await bounded(chromium, a, 'read receipt', a.locator('.msg.mine .receipt', { hasText: 'Read' }).last().waitFor());

    // Image upload with progress, then the image arrives at Bob's.
    await a.setInputFiles('#image-input', { name: 'dot.png', mimeType: 'image/png', buffer: PNG });
    await bounded(chromium, b, 'image received', b.locator('.msg.theirs img').waitFor(), 20_000);
    const src = await b.locator('.msg.theirs img').getAttribute('src');
    expect(src).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);

    // Recall: Alice recalls her text; both sides show it recalled.
    await a.locator('.msg.mine', { hasText: 'second message' }).getByRole('button', { name: 'Recall this message' }).click();
    await bounded(chromium, b, 'recall reaches bob', b.locator('.msg.recalled').waitFor());
    expect(await a.locator('.msg.mine.recalled').count()).toBe(1);
    await shot(a, 'demo-private-chat');
    expect(chromium.logOf(a)).not.toContain('pageerror');
    expect(chromium.logOf(b)).not.toContain('pageerror');
    await a.context().close();
    await b.context().close();
  });

  it('console creates a group, mutes a member (send fails with 22408), chatroom with member count and KV seats', async () => {
    const { session: chromium } = ready();
    const carol = `carol-${RUN}`;
    const dave = `dave-${RUN}`;
    const group = `g${RUN}`;
    const room = `r${RUN}`;
    const admin = await openConsole();
    // The console starts on the dev app, the one the demo chat uses (filled once its app list has loaded).
    const appField = admin.getByLabel('App', { exact: true });
    for (let i = 0; i < 100 && (await appField.inputValue()) === ''; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await appField.inputValue()).toMatch(/^dev/);
    expect(await consoleAction(admin, 'Groups', 'group/create', { groupId: group, groupName: 'Demo group', userId: `${carol},${dave}` })).toContain('"code": 200');
    expect(await consoleAction(admin, 'Chatrooms', 'chatroom/create', { chatroomId: room, name: 'Demo room' })).toContain('"code": 200');

    const c = await openDemo(carol);
    const d = await openDemo(dave);
    await openConversation(c, 'Group', group);
    await openConversation(d, 'Group', group);
    await send(c, 'hi group');
    await bounded(chromium, d, 'group message', d.locator('.msg.theirs .bubble', { hasText: 'hi group' }).waitFor());
    // Group read receipt (v1): Dave had the group open, so Carol's message counts one reader.
    await bounded(chromium, c, 'group receipt', c.locator('.msg.mine .receipt', { hasText: 'Read by 1' }).waitFor());

    expect(await consoleAction(admin, 'Groups', 'group/user/gag/add', { groupId: group, userId: dave, minute: '10' })).toContain('"code": 200');
    await send(d, 'can you hear me');
    await bounded(chromium, d, 'muted send fails', d.locator('#send-error', { hasText: '22408' }).waitFor());
    expect(await d.locator('#send-error').textContent()).toContain('当前用户在群组中已被禁言');
    await shot(d, 'demo-group-muted');
    await shot(admin, 'console-groups');

    // Chatroom: both join, member count 2, Carol takes seat 1 and Dave sees it through KV.
    await openConversation(c, 'Chatroom', room);
    await openConversation(d, 'Chatroom', room);
    await bounded(chromium, c, 'member count', c.locator('#member-count', { hasText: '2' }).waitFor());
    await c.getByRole('button', { name: 'Seat 1: take' }).click();
    await bounded(chromium, d, 'seat taken seen by dave', d.getByRole('button', { name: `Seat 1: ${carol}` }).waitFor());
    await send(d, 'hello room');
    await bounded(chromium, c, 'chatroom message', c.locator('.msg.theirs .bubble', { hasText: 'hello room' }).waitFor());
    await shot(c, 'demo-chatroom');

    // Live statistics: charts and raw numbers.
    await admin.getByRole('tab', { name: 'Statistics' }).click();
    await bounded(chromium, admin, 'stats charts', admin.locator('#chart-online svg').waitFor());
    const raw = JSON.parse((await admin.locator('#stats-raw').textContent()) ?? '{}') as { online: { total: number; byPlatform: Record<string, number> } };
    expect(raw.online.total).toBeGreaterThanOrEqual(2);
    await shot(admin, 'console-stats');
    for (const page of [admin, c, d]) expect(chromium.logOf(page)).not.toContain('pageerror');
    await Promise.all([admin, c, d].map((p) => p.context().close()));
  });

  it('accessibility smoke: labelled controls and a keyboard-only composer', async () => {
    const { session: chromium } = ready();
    const erin = `erin-${RUN}`;
    const page = await openDemo(erin);
    await openConversation(page, 'Private', `frank-${RUN}`);
    const unlabelled = await page.evaluate<string[]>(UNLABELLED_CONTROLS);
    expect(unlabelled).toEqual([]);
    // Keyboard only: Tab from the composer reaches the emoji button; Enter in the composer sends.
    await page.getByRole('textbox', { name: 'Message', exact: true }).focus();
    await page.keyboard.type('typed with the keyboard');
    await page.keyboard.press('Enter');
    await bounded(chromium, page, 'keyboard send', page.locator('.msg.mine .bubble', { hasText: 'typed with the keyboard' }).waitFor());
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement ? document.activeElement.id : ""')).toBe('emoji-button');
    await page.keyboard.press('Enter');
    expect(await page.locator('#emoji-panel').isVisible()).toBe(true);
    await page.locator('#emoji-panel button').first().focus();
    await page.keyboard.press('Enter');
    expect(await page.getByRole('textbox', { name: 'Message', exact: true }).inputValue()).not.toBe('');
    expect(chromium.logOf(page)).not.toContain('pageerror');
    await page.context().close();
  });

  it('every visible button, input, select and textarea of the demo (emoji panel open) and of every console tab has an accessible name', async () => {
    const alice = await suite.user('ax');
    await openConversation(alice.page, 'Chatroom', `room-ax-${RUN}`).catch(() => undefined);
    await openConversation(alice.page, 'Private', `peer-ax-${RUN}`);
    await alice.page.getByRole('button', { name: /Emoji/ }).click();
    expect(await alice.page.evaluate(NAMELESS_CONTROLS)).toEqual([]);
    const page = await suite.admin();
    const nameless: string[] = [];
    for (const tab of ['Apps', 'Users', 'Groups', 'Chatrooms', 'Sensitive words', 'Statistics', 'Settings']) {
      await page.getByRole('tab', { name: tab }).click();
      nameless.push(...(await page.evaluate<string[]>(NAMELESS_CONTROLS)).map((html) => `${tab}: ${html}`));
    }
    expect(nameless).toEqual([]);
  });
});
