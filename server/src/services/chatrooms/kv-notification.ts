/**
 * The notification of a client's chatroom KV change (`setKV`/`delKV`, engine 5's `setKVS`/`delKVS`, with
 * `bNotify`; PROTOCOL.md §8.8). The client chooses it whole — objectName, content, flags (the official clients
 * send an `RC:chrmKVNotiMsg` `{key, value, extra, type}`, neither persisted nor counted) — and it is posted to the
 * room as a message from the changer: a client room message like any `chatMsg`, so it meets the same rules:
 * - the per-connection send limit (20604): one send per change, a batch is one;
 * - readUpStream's checks: the objectName (33003) and content ≤ 128 KiB (30016);
 * - the client filter chain: chat bans, sensitive words (21501, or the replaced text), App Server moderation;
 *   its observers (message routing) hear of the posted message;
 * - the sender's room standing: 23410 no room, 23406 not a member, 23408 gagged, banned in every room or the
 *   room muted;
 * - then the CHATROOM kind itself, as for `chatMsg`: the distribution switch and the drop policy.
 *
 * What the client sees: a change whose notification may not be posted is refused as a whole, with the status a
 * `chatMsg` of that message would get, and the KV store stays as it was. Every check above runs before the
 * change is applied, so there is never a half-applied change (a value set while the message announcing it was
 * refused); dropping the notification silently instead would leave the changer believing the room was told and
 * let a gagged member keep writing to the room's shared state. The change's own refusals that need no store
 * write (KV off, bad key or value, no room, not a member) come before the filters, so they cost no moderation
 * callback; those of the store (23423 key cap, 23424 another's key, 23427 no such key) come after them.
 *
 * Once the change is applied its notification goes through the CHATROOM kind, which checks the standing again:
 * only a race (gagged, kicked or the room destroyed in between) or what a `chatMsg` also gets acknowledged
 * without delivery (the drop policy, a stopped distribution) leaves the change without its message; the client
 * then gets the change's status (it was applied).
 *
 * The Server API's KV changes are admin and post their notification through the server path (chatroom-kv.ts).
 */
import type { ServerContext } from '../../context';
import type { SessionPort } from '../../gateway/topic-router';
import type { ConversationKind, SendRequest } from '../conversation-kind';
import { candidateOf, reportSent, screenedRequest } from '../filtered-send';
import type { MessageFilterChain } from '../message-filter-chain';
import type { UpStream } from '../send-handlers';
import { encodeMessage, rc, type PublishFrame, type QueryFrame } from '../wire';
import { isValidObjectName, MAX_CONTENT_BYTES, WireStatus } from '../wire-status';
import type { ChatroomService } from './chatroom-service';
import { CHATROOM_TYPE, KV_NOTIFY_OBJECT_NAME } from './room-wire';

/** A KV change that carries a notification, in the two steps the notification's checks go between. */
export interface NotifiedChange<T> {
  /** The change's own refusal before any store write (KV off, bad key or value, no room, not a member), or 0. */
  readonly check: () => Promise<number>;
  /** Applies the change; when `changed`, the notification is posted. */
  readonly apply: () => Promise<{ readonly result: T; readonly changed: boolean }>;
}

export type NotifiedOutcome<T> = { readonly refused: number } | { readonly result: T };

/**
 * Checks `note` as a `chatMsg` to `roomId` from the port's user, then applies `change` and posts `note` — or
 * refuses with the status that send would get, `change` not applied.
 */
export type KvNotifier = <T>(port: SessionPort, frame: QueryFrame, roomId: string, note: UpStream, change: NotifiedChange<T>) => Promise<NotifiedOutcome<T>>;

/** `roomKind` is the CHATROOM (4) kind client sends go through; `filters` the chain every client send passes. */
export function kvNotifier(ctx: ServerContext, rooms: ChatroomService, roomKind: ConversationKind, filters: MessageFilterChain): KvNotifier {
  return async <T>(port: SessionPort, frame: QueryFrame, roomId: string, note: UpStream, change: NotifiedChange<T>): Promise<NotifiedOutcome<T>> => {
    // As a chatMsg PUBLISH is counted on arrival.
    if (!port.takeSendPermit()) return { refused: WireStatus.SendTooFast };
    // An empty classname has always meant the KV notification (what the clients send when they send one).
    const up = note;
    if (!up.classname) up.classname = KV_NOTIFY_OBJECT_NAME;
    if (!isValidObjectName(up.classname)) return { refused: WireStatus.InvalidParameter };
    if (up.content.length > MAX_CONTENT_BYTES) return { refused: WireStatus.ContentTooLarge };
    const own = await change.check();
    if (own !== 0) return { refused: own };
    const request = sendRequestOf(port, frame, roomId, up);
    const screened = await filters.screen(candidateOf(request));
    if (!screened.ok) return { refused: screened.status };
    const { appKey, userId } = port.info;
    const standing = await rooms.clientRefusal(appKey, roomId, userId, up.classname);
    if (standing !== 0) return { refused: standing };
    const applied = await change.apply();
    if (!applied.changed) return { result: applied.result };
    const ack = await roomKind.send(screenedRequest(request, screened));
    if (ack.status === 0) reportSent(filters, screened, ack);
    // A race only (see the header): the change stands, its message was refused.
    else ctx.log.info('chatroom KV notification refused after its change', { appKey, roomId, userId, status: ack.status });
    return { result: applied.result };
  };
}

/** The notification as a `chatMsg` to the room would be handed to the send path. */
function sendRequestOf(port: SessionPort, frame: QueryFrame, roomId: string, up: UpStream): SendRequest {
  const publish: PublishFrame = { kind: 'publish', dup: false, qos: 1, retain: false, topic: 'chatMsg', targetId: roomId, messageId: frame.messageId, payload: encodeMessage(rc.UpStreamMessage, up) };
  return { port, frame: publish, up, conversationType: CHATROOM_TYPE, statusTopic: false };
}
