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
import type { ChatroomEntries, EntryNotification } from './chatroom-kv';
import { ChatroomStatus, KV_NOTIFY_OBJECT_NAME } from './room-wire';

type QueryHandler = (port: SessionPort, frame: QueryFrame) => Promise<void>;

/** ChrmKVEntity.status bits (PROTOCOL.md §7.6). */
const KvBit = { AutoDelete: 1, Overwrite: 2 } as const;

function notificationOf(input: E5Object): EntryNotification | undefined | 'invalid' {
  const bytes = field.bytes(input, 'notification');
  if (!field.bool(input, 'bNotify') || bytes === undefined) return undefined;
  try {
    const note = decodeMessage(rc.UpStreamMessage, bytes, 'UpStreamMessage');
    return { objectName: note.classname || KV_NOTIFY_OBJECT_NAME, content: note.content, flags: note.sessionId ?? 0 };
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return 'invalid';
  }
}

export function createBatchEntryHandlers(entries: ChatroomEntries): Array<[string, QueryHandler]> {
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
    const base = { appKey: port.info.appKey, roomId: frame.targetId, userId: port.info.userId };
    const result = await entries.batch(base, items, removal, notification);
    const applied = result.status === 0 || result.failed.length > 0;
    const payload = applied ? encodeE5(ChrmKVSOutput, { errorKeys: result.failed, keysVersion: result.versions }) : undefined;
    port.queryAck(frame.messageId, result.status, payload, frame.topic);
  };
  return [
    ['setKVS', modify(false)],
    ['delKVS', modify(true)],
  ];
}
