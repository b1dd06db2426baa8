/**
 * What a peer's message may not do to the web demo (`/`), in REAL headless Chromium against the real
 * server as `npm start` runs it (`--dev-app`): message texts, file names and sender ids with HTML or
 * script payloads are shown as text; only http(s) URLs from a message become links or image sources
 * (a javascript:, data: or file: file URL is shown as text, an image falls back to its thumbnail);
 * and neither the demo nor the console requests anything beyond loopback. Needs `npm run build`.
 */
import { openConversation, send, useDemoSuite } from './web-demo-support';

jest.setTimeout(120_000);

const { run: RUN, ready, track, user, wait } = useDemoSuite();

/** 1×1 PNG, as an image message's base64 thumbnail. */
const THUMBNAIL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

async function publish(from: string, to: string, objectName: string, content: Record<string, unknown>): Promise<void> {
  const sent = await ready().devApi.post('message/private/publish', { fromUserId: from, toUserId: to, objectName, content: JSON.stringify(content) });
  expect(sent.body).toMatchObject({ code: 200 });
}

describe('hostile message content is shown as text, never as markup or a script link', () => {
  it('message text and file names with HTML/script payloads are escaped in the demo', async () => {
    const bob = await user('xb');
    const payload = `<img src=x onerror="window.__xss=(window.__xss||0)+1">`;
    // Server API user ids are limited to [A-Za-z0-9_=+-.@] (1002 otherwise), so the sender cannot carry markup.
    const evilSender = `evil-${RUN}`;
    const texts = [payload, `<script>window.__xss=1</script>😀`, `<svg onload="window.__xss=1">`];
    for (const text of texts) await publish(evilSender, bob.id, 'RC:TxtMsg', { content: text });
    await publish(evilSender, bob.id, 'RC:FileMsg', { name: `${payload}.pdf`, size: 12, type: 'pdf', fileUrl: 'http://127.0.0.1:1/f.pdf' });
    const convButton = bob.page.locator('#conversations button', { hasText: evilSender });
    await wait(bob.page, 'conversation listed', convButton.waitFor());
    await convButton.click();
    await wait(bob.page, 'file shown', bob.page.locator('.msg .bubble a', { hasText: '.pdf' }).waitFor());
    const bubbles = await bob.page.locator('#messages .msg .bubble').allTextContents();
    expect(bubbles.slice(0, 3)).toEqual(texts);
    expect(bubbles[3]).toContain(`${payload}.pdf`);
    expect(await bob.page.locator('#messages img[src="x"], #messages script, #messages svg').count()).toBe(0);
    expect(await bob.page.locator('#chat-title').textContent()).toContain(evilSender);
    expect(await bob.page.locator('#messages .sender').first().textContent()).toBe(evilSender);
    expect(await bob.page.evaluate('window.__xss')).toBeUndefined();
  });

  it('only http(s) URLs from a message become links or image sources: javascript:, data: and file: are shown as text', async () => {
    const bob = await user('jb');
    const from = `jsurl-${RUN}`;
    const script = 'javascript:document.title="pwned-"+document.domain';
    await publish(from, bob.id, 'RC:FileMsg', { name: 'invoice.pdf', size: 1234, type: 'pdf', fileUrl: script });
    await publish(from, bob.id, 'RC:FileMsg', { name: 'page.html', size: 10, type: 'html', fileUrl: ' JavaScript:alert(1)' });
    await publish(from, bob.id, 'RC:FileMsg', { name: 'data.html', size: 10, type: 'html', fileUrl: 'data:text/html,<script>alert(1)</script>' });
    await publish(from, bob.id, 'RC:FileMsg', { name: 'local.txt', size: 10, type: 'txt', fileUrl: 'file:///etc/passwd' });
    await publish(from, bob.id, 'RC:FileMsg', { name: 'good.pdf', size: 10, type: 'pdf', fileUrl: 'https://files.example/good.pdf' });
    await publish(from, bob.id, 'RC:ImgMsg', { content: THUMBNAIL, imageUri: script });
    await publish(from, bob.id, 'RC:ImgMsg', { content: '', imageUri: 'javascript:alert(1)' });
    await openConversation(bob.page, 'Private', from);
    const bubbles = bob.page.locator('#messages .msg .bubble');
    await wait(bob.page, 'all shown', bubbles.nth(6).waitFor());
    // Each file is shown with its name; only the https one is a link.
    for (const name of ['invoice.pdf', 'page.html', 'data.html', 'local.txt']) {
      const bubble = bubbles.filter({ hasText: name });
      expect([name, await bubble.locator('a').count()]).toEqual([name, 0]);
    }
    expect(await bubbles.filter({ hasText: 'invoice.pdf' }).textContent()).toContain(script);
    expect(await bubbles.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(['https://files.example/good.pdf']);
    // The image with a script URL shows its own thumbnail (a data: URL the demo builds); without one it is text.
    const sources = await bubbles.locator('img').evaluateAll((images) => images.map((img) => img.getAttribute('src') ?? ''));
    expect(sources).toEqual([`data:image/jpeg;base64,${THUMBNAIL}`]);
    expect(await bubbles.nth(6).textContent()).toContain('javascript:alert(1)');
    expect(await bob.page.title()).not.toContain('pwned');
  });
});

describe('nothing leaves loopback', () => {
  it('the demo and the console request only loopback hosts (external requests are blocked and recorded)', async () => {
    const { server } = ready();
    const offLoopback: string[] = [];
    const page = track(await ready().session.newPage());
    await page.context().route('**/*', (route) => {
      const host = new URL(route.request().url()).hostname;
      if (host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || route.request().url().startsWith('data:')) return route.continue();
      offLoopback.push(route.request().url());
      return route.abort();
    });
    await wait(page, 'load', page.goto(`${server.url}/`));
    await page.getByLabel('User ID', { exact: true }).fill(`net-${RUN}`);
    await page.getByLabel('User ID', { exact: true }).press('Enter');
    await wait(page, 'connected', page.locator('#status', { hasText: `connected as net-${RUN}` }).waitFor());
    await openConversation(page, 'Private', `peer-net-${RUN}`);
    await page.getByRole('button', { name: /Emoji/ }).click();
    await page.locator('#emoji-panel button').first().click();
    await send(page, 'hello 🙂');
    await wait(page, 'sent', page.locator('.msg.mine').first().waitFor());
    await page.goto(`${server.url}/console`);
    await page.getByLabel('Admin password').fill(ready().adminPassword);
    await page.getByLabel('Admin password').press('Enter');
    await wait(page, 'console', page.getByRole('tab', { name: 'Statistics' }).waitFor());
    await page.getByRole('tab', { name: 'Statistics' }).click();
    await wait(page, 'charts', page.locator('#chart-online').waitFor());
    expect(offLoopback).toEqual([]);
  });
});
