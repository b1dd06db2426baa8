/**
 * Chatroom batch KV, engine 5.x only (`setKVS` / `delKVS`; PROTOCOL-E5.md §3.4; imlib-next 5.7.3 and 5.38
 * `setChatRoomEntries` / `removeChatRoomEntries`). Input SetChrmKVS / DeleteChrmKVS {entry[], bNotify,
 * notification, type}; reply ChrmKVSOutput {errorKeys[{key, errorCode}], keysVersion[{version, key}]}.
 *
 * The reply always carries a ChrmKVSOutput when the batch was applied (status 0 or 23428): 5.38 reads
 * `errorKeys`/`keysVersion` from it without checking that it exists, and 5.7.3 keeps the keys not listed in
 * `errorKeys` as set. Refusals of the whole batch (KV off, not a member, more than 10 entries → 23429) carry
 * no payload, like every other chatroom error.
 */
import type { SessionPort } from '../../gateway/topic-router';
import { decodeMessage, ProtocolError, rc, type QueryFrame } from '../wire';
import { isValidId } from '../wire-status';
import { ChrmKVSOutput, decodeE5, encodeE5, field, SetChrmKVS } from '../e5-wire';
import type { E5Object } from '../e5-wire';
import type { BatchResult, ChatroomEntries } from './chatroom-kv';
import type { KvNotifier } from './kv-notification';
import { ChatroomStatus } from './room-wire';
import type { UpStream } from '../send-handlers';

type QueryHandler = (port: SessionPort, frame: QueryFrame) => Promise<void>;

/** ChrmKVEntity.status bits (PROTOCOL.md §7.6). */
const KvBit = { AutoDelete: 1, Overwrite: 2 } as const;

function notificationOf(input: E5Object): UpStream | undefined | 'invalid' {
  const bytes = field.bytes(input, 'notification');
  if (!field.bool(input, 'bNotify') || bytes === undefined) return undefined;
  try {
    return decodeMessage(rc.UpStreamMessage, bytes, 'UpStreamMessage');
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return 'invalid';
  }
}

/**
 * `notifier` checks and posts a client's KV notification (kv-notification.ts): a batch whose notification may
 * not be posted is refused as a whole (no payload), nothing applied; it counts as one message sent.
 */
export function createBatchEntryHandlers(entries: ChatroomEntries, notifier: KvNotifier): Array<[string, QueryHandler]> {
  const modify = (removal: boolean): QueryHandler => async (port, frame) => {
    const reject = (): void => port.queryAck(frame.messageId, ChatroomStatus.InvalidParameter, undefined, frame.topic);
    if (!isValidId(frame.targetId)) return reject();
    let input: E5Object;
    try {
      input = decodeE5(SetChrmKVS, frame.payload);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      return reject();
    }
    const notification = notificationOf(input);
    if (notification === 'invalid') return reject();
    const items = field.objects(input, 'entry').map((entry) => {
      const status = field.num(entry, 'status');
      return { key: field.str(entry, 'key'), value: field.str(entry, 'value'), autoDelete: (status & KvBit.AutoDelete) !== 0, force: (status & KvBit.Overwrite) !== 0 };
    });
    const base = { appKey: port.info.appKey, roomId: frame.targetId, userId: port.info.userId, sessionId: port.info.sessionId };
    let result: BatchResult;
    if (notification === undefined) {
      result = await entries.batch(base, items, removal);
    } else {
      const outcome = await notifier(port, frame, frame.targetId, notification, {
        check: () => entries.batchRefusal(base, items),
        apply: async () => {
          const applied = await entries.batch(base, items, removal);
          return { result: applied, changed: applied.versions.length > 0 };
        },
      });
      result = 'refused' in outcome ? { status: outcome.refused, failed: [], versions: [] } : outcome.result;
    }
    const applied = result.status === 0 || result.failed.length > 0;
    const payload = applied ? encodeE5(ChrmKVSOutput, { errorKeys: result.failed, keysVersion: result.versions }) : undefined;
    port.queryAck(frame.messageId, result.status, payload, frame.topic);
  };
  return [
    ['setKVS', modify(false)],
    ['delKVS', modify(true)],
  ];
}
