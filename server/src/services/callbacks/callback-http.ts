/**
 * One signed POST to an App Server. Never throws: network errors and timeouts come back as `ok: false`, so
 * callers decide between retrying (queued callbacks) and failing open or closed (moderation).
 */
import type { AppConfig } from '../../config';
import { callbackSignatureHeaders, callbackSignatureOf, signedCallbackUrl } from './callback-signature';

export interface CallbackRequest {
  readonly url: string;
  readonly contentType: string;
  readonly body: string;
  readonly timeoutMs: number;
}

export type CallbackResponse =
  | { readonly ok: true; readonly status: number; readonly text: string }
  | { readonly ok: false; readonly status?: number; readonly error: string };

/** The transport; replaceable for unit tests of the queue. */
export type CallbackPost = (app: AppConfig, request: CallbackRequest, now: number) => Promise<CallbackResponse>;

/** Largest answer read back (moderation answers are small JSON). */
const MAX_ANSWER_CHARS = 512 * 1024;

export const postCallback: CallbackPost = async (app, request, now) => {
  const sign = callbackSignatureOf(app.appKey, app.appSecret, now);
  try {
    const response = await fetch(signedCallbackUrl(request.url, sign), {
      method: 'POST',
      headers: { 'Content-Type': request.contentType, 'User-Agent': 'lianxin-server', ...callbackSignatureHeaders(sign) },
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMs),
      redirect: 'error',
    });
    const text = (await response.text()).slice(0, MAX_ANSWER_CHARS);
    if (response.status < 200 || response.status >= 300) return { ok: false, status: response.status, error: `HTTP ${response.status}` };
    return { ok: true, status: response.status, text };
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    return { ok: false, error: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : String((error as { cause?: unknown }).cause ?? error) };
  }
};
