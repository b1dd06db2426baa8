/**
 * 全量消息路由 (SERVER_API.md §5): every message a client sends is POSTed to the app's `messageRouteUrl`,
 * one message per form-encoded request, through the durable queue (at least once, in send order per app).
 * Like RongCloud, status messages and messages sent through the Server API are not routed, and refused
 * messages (blacklist, moderation block…) never reach this point.
 */
import type { ServerContext } from '../../context';
import type { PlatformClass } from '../../gateway/topic-router';
import { SENSITIVE_WORD_FILTER_NAME, type SentMessage } from '../message-filter-chain';
import { decodeUtf8 } from '../wire';
import type { CallbackDispatcher } from './callback-dispatcher';

/** `channelType` by conversation type. */
const CHANNEL_TYPES: Readonly<Record<number, string>> = {
  1: 'PERSON',
  2: 'PERSONS',
  3: 'GROUP',
  4: 'TEMPGROUP',
  5: 'CUSTOMERSERVICE',
  6: 'NOTIFY',
  7: 'MC',
  8: 'MP',
  10: 'ULTRAGROUP',
};

/**
 * The `source` / `os` names RongCloud uses for each client class. Web, uni-app and unknown clients connect over
 * WebSocket ("Websocket"); the connect URL does not tell iOS from Android, so native mobile reports "Android".
 */
export function clientSourceOf(platform: PlatformClass): string {
  switch (platform) {
    case 'miniprogram': return 'MiniProgram';
    case 'pc': return 'PC';
    case 'mobile': return 'Android';
    default: return 'Websocket';
  }
}

export function routeForm(message: SentMessage): URLSearchParams {
  const form = new URLSearchParams();
  form.append('fromUserId', message.fromUserId);
  form.append('toUserId', message.targetId);
  form.append('objectName', message.objectName);
  form.append('content', decodeUtf8(message.content));
  form.append('channelType', CHANNEL_TYPES[message.conversationType] ?? String(message.conversationType));
  form.append('msgTimestamp', String(message.sentTime));
  form.append('msgUID', message.messageUId);
  form.append('originalMsgUID', '');
  form.append('sensitiveType', message.replacedBy.includes(SENSITIVE_WORD_FILTER_NAME) ? '2' : '0');
  form.append('source', clientSourceOf(message.platform));
  form.append('busChannel', '');
  if (message.conversationType === 3) for (const userId of message.directedTo) form.append('groupUserIds', userId);
  form.append('aiGenerated', 'false');
  return form;
}

/** The observer to register on the filter chain. */
export function messageRouter(ctx: ServerContext, dispatcher: CallbackDispatcher): (message: SentMessage) => void {
  return (message) => {
    if (message.status) return;
    // Read directly (no default for it): appServerOptionsOf would build the merged options for every message.
    if (ctx.apps.get(message.appKey)?.appServer?.messageRouteUrl === undefined) return;
    dispatcher.enqueue({ appKey: message.appKey, kind: 'route', contentType: 'application/x-www-form-urlencoded', body: routeForm(message).toString() });
  };
}
