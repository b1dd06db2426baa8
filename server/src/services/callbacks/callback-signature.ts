/**
 * Signing of server → App Server callbacks (SERVER_API.md §5). The App Server checks
 * `signature = hex(sha1(appSecret + nonce + timestamp))`; RongCloud has used several spellings over the years
 * and App Servers in the wild read any one of them, so every variant is sent on every request:
 *   query  appKey, nonce, timestamp (ms), signTimestamp (= timestamp), signature, rc-nonce, rc-timestamp, rc-signature
 *   header RC-App-Key, RC-Nonce, RC-Timestamp, RC-Signature (what SealTalk's RCSignInterceptor falls back to)
 */
import { createHash, randomBytes } from 'node:crypto';

export interface CallbackSignature {
  readonly appKey: string;
  readonly nonce: string;
  /** ms, as text */
  readonly timestamp: string;
  readonly signature: string;
}

export function callbackSignatureOf(appKey: string, appSecret: string, now: number, nonce: string = randomBytes(9).toString('hex')): CallbackSignature {
  const timestamp = String(now);
  return { appKey, nonce, timestamp, signature: createHash('sha1').update(appSecret + nonce + timestamp, 'utf8').digest('hex') };
}

/** `url` with the signature query parameters appended (its own query is kept). */
export function signedCallbackUrl(url: string, sign: CallbackSignature): string {
  const target = new URL(url);
  const params = target.searchParams;
  params.set('appKey', sign.appKey);
  params.set('nonce', sign.nonce);
  params.set('timestamp', sign.timestamp);
  params.set('signTimestamp', sign.timestamp);
  params.set('signature', sign.signature);
  params.set('rc-nonce', sign.nonce);
  params.set('rc-timestamp', sign.timestamp);
  params.set('rc-signature', sign.signature);
  return target.toString();
}

export function callbackSignatureHeaders(sign: CallbackSignature): Record<string, string> {
  return { 'RC-App-Key': sign.appKey, 'RC-Nonce': sign.nonce, 'RC-Timestamp': sign.timestamp, 'RC-Signature': sign.signature };
}

/** What an App Server does with a callback's query string; exported for tests and as the reference check. */
export function verifyCallbackQuery(query: URLSearchParams, appSecret: string): boolean {
  const nonce = query.get('nonce') ?? '';
  const timestamp = query.get('timestamp') ?? query.get('signTimestamp') ?? '';
  const signature = query.get('signature') ?? '';
  return signature !== '' && createHash('sha1').update(appSecret + nonce + timestamp, 'utf8').digest('hex') === signature.toLowerCase();
}
