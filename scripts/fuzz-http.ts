/**
 * The fuzz run's HTTP workers (scripts/fuzz-core.ts): comet upstream bodies on live and made-up
 * sessions, navi / cometnavi / v2 navi / ping queries, and signed Server API requests with random
 * forms. fetch keeps its connections alive (undici pools them), so an input costs one request,
 * not one TCP handshake. Expected answers: never a 5xx; comet 200 with a JSON array or 400
 * `lost params`; the Server API a JSON body with a numeric `code` (or 429).
 */
import { Failure, failure, HANG_MS, type Fuzzer, type FuzzUser, TOPICS, API_PATHS, FORM_KEYS } from './fuzz-input';

export async function httpCheck(f: Fuzzer, what: string, response: Response, expect: (status: number, body: string) => string | undefined): Promise<void> {
  const body = await response.text();
  f.httpStatuses[response.status] = (f.httpStatuses[response.status] ?? 0) + 1;
  if (response.status >= 500) f.violation(`${what}: HTTP ${response.status} ${body.slice(0, 120)}`);
  const problem = expect(response.status, body);
  if (problem !== undefined) f.violation(`${what}: ${problem}`);
}

export function isJsonArray(body: string): boolean {
  try {
    return Array.isArray(JSON.parse(body));
  } catch {
    return false;
  }
}

export async function cometWorker(f: Fuzzer, user: FuzzUser): Promise<void> {
  const url = f.options.url;
  let sessionId = '';
  while (f.running()) {
    if (sessionId === '') {
      const response = await fetch(`${url}/websocket?appId=${f.options.appKey}&token=${encodeURIComponent(user.token)}&sdkVer=2.9.2&pid=fz${f.int(1e9)}&apiVer=normal`);
      const reply = JSON.parse(await response.text()) as { status?: number; sessionid?: string };
      if (reply.status !== 0 || typeof reply.sessionid !== 'string') {
        f.violation(`comet connect refused: ${JSON.stringify(reply)}`);
        return;
      }
      sessionId = reply.sessionid;
    }
    const params = new URLSearchParams();
    const header = f.pick([0x32, 0x52, 0x40, 0x62, f.int(256)]);
    params.set('messageid', f.int(3) === 0 ? f.text() : String(1 + f.int(60_000)));
    params.set('header', f.int(6) === 0 ? f.text() : String(header));
    params.set('sessionid', f.int(8) === 0 ? f.text() : sessionId);
    if (f.int(10) > 0) params.set('topic', f.int(4) === 0 ? f.text() : f.pick(TOPICS));
    if (f.int(10) > 0) params.set('targetid', f.targetId());
    const body = f.int(3) === 0 ? f.text() : JSON.stringify(f.int(2) === 0 ? { content: f.text(), syncTime: f.int(1e9) } : [f.text(), f.int(100)]);
    const response = await fetch(`${url}/websocket?${params.toString()}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body, signal: AbortSignal.any([f.stop.signal, AbortSignal.timeout(HANG_MS + 30_000)]) }).catch(failure);
    f.count('comet', 'comet');
    if (response instanceof Failure) {
      if (f.stop.signal.aborted) break;
      f.hangs++;
      f.violation(`comet POST failed: ${response.message}`);
      continue;
    }
    await httpCheck(f, 'comet POST', response, (status, text) => (status === 200 ? (isJsonArray(text) ? undefined : `body is not a JSON array: ${text.slice(0, 80)}`) : status === 400 && text === 'lost params' ? undefined : `unexpected ${status} ${text.slice(0, 80)}`));
    // A malformed upstream closes our session (documented): the next poll says so; start a new one.
    if (f.int(20) === 0) {
      const poll = await fetch(`${url}/pullmsg.js?sessionid=${f.int(2) === 0 ? encodeURIComponent(f.text()) : 'gone' + f.int(1e6)}&timestrap=${Date.now()}`, { signal: f.stop.signal }).catch(failure);
      if (poll instanceof Failure) break;
      f.count('comet', 'comet');
      await httpCheck(f, 'comet poll', poll, (status, text) => (status === 200 && isJsonArray(text)) || (status === 400 && text === 'lost params') ? undefined : `unexpected ${status} ${text.slice(0, 80)}`);
      sessionId = f.int(3) === 0 ? '' : sessionId;
    }
  }
}

export async function httpWorker(f: Fuzzer): Promise<void> {
  const url = f.options.url;
  while (f.running()) {
    const roll = f.int(10);
    let response: Response | Failure;
    let what: string;
    let check: (status: number, body: string) => string | undefined = () => undefined;
    if (roll < 4) {
      const path = f.pick(['/navi.js', '/cometnavi.js', '/ping', '/navi.js']);
      const query = new URLSearchParams();
      for (let i = f.int(5); i > 0; i--) query.set(f.pick(['appId', 'token', 'callBack', 'v', 'r', f.text()]), f.int(4) === 0 ? f.options.appKey : f.text());
      what = `GET ${path}`;
      response = await fetch(`${url}${path}?${query.toString()}`, { signal: AbortSignal.any([f.stop.signal, AbortSignal.timeout(HANG_MS)]) }).catch(failure);
    } else if (roll < 5) {
      what = 'POST /v2/navi.json';
      response = await fetch(`${url}/v2/navi.json`, { method: 'POST', headers: { 'rc-appkey': f.int(2) === 0 ? f.options.appKey : f.text().replace(/[^\x21-\x7e]/g, '_'), 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${encodeURIComponent(f.text())}&${f.text()}`, signal: AbortSignal.any([f.stop.signal, AbortSignal.timeout(HANG_MS)]) }).catch(failure);
    } else {
      const path = f.pick(API_PATHS);
      const form: Record<string, string | string[]> = {};
      for (let i = 1 + f.int(6); i > 0; i--) {
        const key = f.int(6) === 0 ? f.text() : f.pick(FORM_KEYS);
        form[key] = f.int(5) === 0 ? [f.text(), f.text()] : f.int(3) === 0 ? String(f.int(1e6) - 10) : f.text();
      }
      what = `Server API ${path}`;
      const answer = await f.options.api.post(path, form).catch(failure);
      f.count('http', 'server-api');
      if (answer instanceof Failure) {
        f.hangs++;
        f.violation(`${what} failed: ${answer.message}`);
        continue;
      }
      f.httpStatuses[answer.status] = (f.httpStatuses[answer.status] ?? 0) + 1;
      if (answer.status >= 500) f.violation(`${what}: HTTP ${answer.status} ${answer.text.slice(0, 120)}`);
      check = (status, body) => {
        if (status === 429) return undefined;
        try {
          const parsed = JSON.parse(body) as { code?: unknown };
          return typeof parsed.code === 'number' ? undefined : `no numeric code: ${body.slice(0, 80)}`;
        } catch {
          return `not JSON: ${body.slice(0, 80)}`;
        }
      };
      const problem = check(answer.status, answer.text);
      if (problem !== undefined) f.violation(`${what}: ${problem}`);
      continue;
    }
    f.count('http', 'navi-ping');
    if (response instanceof Failure) {
      if (f.stop.signal.aborted) break;
      f.hangs++;
      f.violation(`${what} failed: ${response.message}`);
      continue;
    }
    await httpCheck(f, what, response, check);
  }
}

