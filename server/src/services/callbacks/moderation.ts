/**
 * Pre-delivery moderation (消息回调服务, SERVER_API.md §5): before a client message is delivered, it is POSTed
 * (form-encoded, signed) to the app's `moderationUrl` and the answer decides:
 *   {"pass": 1}                         deliver as sent
 *   {"pass": 0}                         refuse (sender gets 21501, receivers nothing, not routed)
 *   {"pass": 1, "replaceContent": "…", "pushContent": "…"}   deliver with the content / push text replaced
 * `pass` may be 1/0, true/false or "1"/"0"; an answer without `pass` passes. `replaceContent` is the new content
 * JSON; a plain string replaces the `content` field of the original (the usual text-message case).
 * A timeout, a non-2xx status or an unreadable answer applies the app's failure mode: deliver
 * (`moderationFailOpen`, the default, as RongCloud does) or refuse with 30014. Status messages are not reviewed.
 */
import { appServerOptionsOf, DEFAULT_APP_SERVER_OPTIONS } from '../../app-server-options';
import type { AppConfig, ServerContext } from '../../context';
import { FilterStatus, PASS, type CandidateMessage, type FilterVerdict, type MessageFilter } from '../message-filter-chain';
import { decodeUtf8, encodeUtf8, newMessageUidFor } from '../wire';
import { MAX_CONTENT_BYTES } from '../wire-status';
import { postCallback, type CallbackPost } from './callback-http';
import { clientSourceOf } from './message-routing';

export const MODERATION_FILTER_NAME = 'app-server-moderation';
const CHANNEL_TYPES: Readonly<Record<number, string>> = { 1: 'PERSON', 2: 'PERSONS', 3: 'GROUP', 4: 'TEMPGROUP', 5: 'CUSTOMERSERVICE', 6: 'NOTIFY', 10: 'ULTRAGROUP' };

export function moderationForm(message: CandidateMessage, now: number): URLSearchParams {
  const form = new URLSearchParams();
  form.append('appKey', message.appKey);
  form.append('fromUserId', message.fromUserId);
  form.append('targetId', message.targetId);
  const recipients = message.conversationType === 1 ? [message.targetId] : message.directedTo;
  form.append('toUserIds', recipients.join(','));
  form.append('msgType', message.objectName);
  form.append('content', decodeUtf8(message.content));
  form.append('channelType', CHANNEL_TYPES[message.conversationType] ?? String(message.conversationType));
  form.append('msgTimeStamp', String(now));
  // The stored message gets its uid later; this id names the review request.
  form.append('messageId', newMessageUidFor(now));
  form.append('os', clientSourceOf(message.platform));
  form.append('pushContent', message.pushContent ?? '');
  form.append('busChannel', '');
  form.append('clientIp', message.clientIp ?? '');
  return form;
}

function truthy(value: unknown): boolean | undefined {
  if (value === true || value === 1 || value === '1' || value === 'true') return true;
  if (value === false || value === 0 || value === '0' || value === 'false') return false;
  return undefined;
}

/** The new content bytes for a `replaceContent` answer, or undefined when it cannot be applied. */
function replacedContent(original: Uint8Array, replacement: unknown): Uint8Array | undefined {
  if (typeof replacement === 'object' && replacement !== null) return encodeUtf8(JSON.stringify(replacement));
  if (typeof replacement !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(replacement);
    if (typeof parsed === 'object' && parsed !== null) return encodeUtf8(replacement);
  } catch {
    // not JSON: a plain text replacement
  }
  try {
    const content: unknown = JSON.parse(decodeUtf8(original));
    if (typeof content === 'object' && content !== null && !Array.isArray(content)) {
      return encodeUtf8(JSON.stringify({ ...(content as Record<string, unknown>), content: replacement }));
    }
  } catch {
    // original not JSON: replace the whole body
  }
  return encodeUtf8(JSON.stringify({ content: replacement }));
}

/** Reads an App Server answer; undefined when it is not a usable JSON object. */
export function readModerationAnswer(text: string, original: Uint8Array): FilterVerdict | undefined {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) return undefined;
  const record = answer as Record<string, unknown>;
  if (truthy(record['pass']) === false) return { action: 'reject', status: FilterStatus.Blocked, reason: 'blocked by the App Server' };
  const hasContent = record['replaceContent'] !== undefined && record['replaceContent'] !== null && record['replaceContent'] !== '';
  const push = typeof record['pushContent'] === 'string' ? record['pushContent'] : undefined;
  if (!hasContent && push === undefined) return PASS;
  const content = hasContent ? replacedContent(original, record['replaceContent']) : undefined;
  if (hasContent && (content === undefined || content.length > MAX_CONTENT_BYTES)) return undefined;
  return { action: 'replace', reason: 'replaced by the App Server', ...(content !== undefined ? { content } : {}), ...(push !== undefined ? { pushContent: push } : {}) };
}

export function moderationFilter(ctx: ServerContext, post: CallbackPost = postCallback): MessageFilter {
  async function review(app: AppConfig, url: string, message: CandidateMessage): Promise<FilterVerdict> {
    const options = appServerOptionsOf(app);
    const now = ctx.clock.now();
    const body = moderationForm(message, now).toString();
    const result = await post(app, { url, contentType: 'application/x-www-form-urlencoded', body, timeoutMs: options.moderationTimeoutMs }, now);
    const verdict = result.ok ? readModerationAnswer(result.text, message.content) : undefined;
    if (verdict !== undefined) return verdict;
    const why = result.ok ? 'unreadable answer' : result.error;
    ctx.log.warn('moderation callback failed', { appKey: message.appKey, failOpen: options.moderationFailOpen, error: why });
    return options.moderationFailOpen ? PASS : { action: 'reject', status: FilterStatus.Failed, reason: `moderation unavailable (${why})` };
  }
  return {
    name: MODERATION_FILTER_NAME,
    order: 300,
    // Synchronous PASS when there is nothing to review (a status message, no moderation URL, a type the app
    // does not review): the chain then stays promise-free for the common send. Only a review is async.
    check(message) {
      if (message.status) return PASS;
      const app = ctx.apps.get(message.appKey);
      const url = app?.appServer?.moderationUrl ?? DEFAULT_APP_SERVER_OPTIONS.moderationUrl;
      if (app === undefined || url === undefined) return PASS;
      const names = app.appServer?.moderationObjectNames ?? DEFAULT_APP_SERVER_OPTIONS.moderationObjectNames;
      if (names.length > 0 && !names.includes(message.objectName)) return PASS;
      return review(app, url, message);
    },
  };
}
