/**
 * The topics the SDK itself sends or receives (PROTOCOL.md §6), with their frames and payload
 * types: the part of the topic catalogue (./topics) that SDK bundles carry. The server and the
 * tests see the whole catalogue, `TOPIC_SCHEMA` in ./topics = this table + ./official-topics.
 *
 * Invariant: every topic an SDK service passes to `engine.query`/`engine.publish`, or handles as a
 * push, is listed here (test/unit/protocol/sdk-tables.test.ts scans src/ and platforms/ for them).
 * In SDK bundles `./topics` resolves to ./topics-sdk (rollup.config.mjs `sdkTables`), so the comet
 * transport converts exactly these topics, and the message table is the SDK's
 * (proto/gen/rc-schema-sdk.ts, the closure of the types named here and by the SDK's codec calls).
 */
import type { RcMessageName } from '../../proto/gen/rc-schema';

/**
 * publish: client PUBLISH → server PUBACK (no reply payload);
 * query:   client QUERY → server QUERYACK (reply payload = `output`, or empty);
 * push:    server-initiated PUBLISH (payload = `input`), including the multi-device echo.
 */
export type TopicFrame = 'publish' | 'query' | 'push';

export interface TopicSchema {
  readonly frame: TopicFrame;
  /** Payload of the frame that starts the exchange (client PUBLISH/QUERY, or the server push). */
  readonly input?: RcMessageName;
  /** QUERYACK payload type; absent ⇒ the server answers with an empty payload (status only). */
  readonly output?: RcMessageName;
  /** L2 (RongIMLib 2.5.3) sends a different input type on this topic. */
  readonly inputL2?: RcMessageName;
  /** L2 uses a different frame for this topic (E4 PUBLISHes some RTC topics that L2 QUERYs). */
  readonly frameL2?: TopicFrame;
  /** Listed in a client's topic table but never sent by either web client; types are inferred. */
  readonly unused?: true;
}

const P = 'publish';
const Q = 'query';
const S = 'push';
const UP = 'UpStreamMessage';
const DOWNLOAD_URL = { frame: Q, input: 'GetDownloadUrlInput', output: 'GetDownloadUrlOutput' } as const;
const HISTORY = { frame: Q, input: 'HistoryMsgInput', output: 'HistoryMsgOuput' } as const;
const CLEAN = { frame: Q, input: 'CleanHisMsgInput' } as const;

export const SDK_TOPIC_SCHEMA = {
  // §6.1 Send topics (./send-topics): sent by the SDK and pushed back as multi-device echoes.
  ppMsgP: { frame: P, input: UP },
  pdMsgP: { frame: P, input: UP },
  pgMsgP: { frame: P, input: UP },
  chatMsg: { frame: P, input: UP },
  pcMsgP: { frame: P, input: UP },
  pcuMsgP: { frame: P, input: UP },
  pmcMsgN: { frame: P, input: UP },
  pmpMsgN: { frame: P, input: UP },
  prMsgS: { frame: P, input: UP },
  prMsgP: { frame: P, input: UP },
  // SYSTEM (6) sends, engine 5.x's topic (./send-topics).
  pbMsgP: { frame: P, input: UP },
  // Status messages: E4 sends them with messageId 0 and ignores any PUBACK; never echo them.
  ppMsgS: { frame: P, input: UP },
  pgMsgS: { frame: P, input: UP },
  chatMsgS: { frame: S, input: UP },
  // Frame target is the sender's own id; the recalled conversation is inside the content.
  recallMsg: { frame: P, input: UP },

  // §6.2 Sync, pull and push
  pullMsg: { frame: Q, input: 'SyncRequestMsg', output: 'DownStreamMessages' },
  chrmPull: { frame: Q, input: 'ChrmPullMsg', output: 'DownStreamMessages' },
  s_ntf: { frame: S, input: 'NotifyMsg' },
  s_msg: { frame: S, input: 'DownStreamMessage' },
  s_cmd: { frame: S, input: 'NotifyMsg' },
  s_us: { frame: S, input: 'UserSettingNotification' },

  // §6.3 History, conversations, read state, tags
  qryPMsg: HISTORY,
  qryDMsg: HISTORY,
  qryGMsg: HISTORY,
  qryCMsg: HISTORY,
  qrySMsg: HISTORY,
  qryCHMsg: HISTORY,
  qryRelationR: { frame: Q, input: 'RelationQryInput', output: 'RelationsOutput' },
  // Field 2 clashes between the two layouts: decode with decodeDelRelationType (relation-tolerant.ts).
  delRelation: { frame: Q, input: 'RelationQryInput', inputL2: 'RelationsInput' },
  // L2 names DeleteMsgOutput as the reply type; the server sends no payload.
  delMsg: { frame: Q, input: 'DeleteMsgInput' },
  cleanPMsg: CLEAN,
  cleanGMsg: CLEAN,
  cleanCMsg: CLEAN,
  cleanSMsg: CLEAN,
  cleanDMsg: CLEAN,
  pullSeAtts: { frame: Q, input: 'SessionReq', output: 'SessionStates' },
  setSeAtt: { frame: Q, input: 'SessionStateModifyReq', output: 'SessionStateModifyResp' },
  addTag: { frame: Q, input: 'SessionStateModifyReq' },
  delTag: { frame: Q, input: 'SessionStateModifyReq' },
  addSeTag: { frame: Q, input: 'SessionTagAddInput', output: 'SetUserSettingOutput' },
  delSeTag: { frame: Q, input: 'SessionTagDelInput', output: 'SetUserSettingOutput' },
  pullUS: { frame: Q, input: 'PullUserSettingInput', output: 'PullUserSettingOutput' },
  rrMsg: { frame: Q, input: 'GrpReadReceiptMsg' },
  rrList: { frame: Q, input: 'GrpReadReceiptQryReq', output: 'GrpReadReceiptQryResp' },

  // §6.4 Chatroom
  joinChrm: { frame: Q, input: 'ChrmInput', output: 'ChrmOutput' },
  joinChrmR: { frame: Q, input: 'ChrmInput', output: 'ChrmOutput' },
  // L2 names ChrmOutput as the reply type; the server sends no payload.
  exitChrm: { frame: Q, input: 'ChrmInput' },
  queryChrmI: { frame: Q, input: 'QueryChatRoomInfoInput', output: 'QueryChatRoomInfoOutput' },
  setKV: { frame: Q, input: 'SetChrmKV' },
  delKV: { frame: Q, input: 'SetChrmKV', inputL2: 'DeleteChrmKV' },
  pullKV: { frame: Q, input: 'QueryChrmKV', output: 'ChrmKVOutput' },

  // §6.5 Files / media
  qnTkn: { frame: Q, input: 'GetQNupTokenInput', output: 'GetQNupTokenOutput' },
  qnUrl: { frame: Q, input: 'GetQNdownloadUrlInput', output: 'GetQNdownloadUrlOutput' },
  aliUrl: DOWNLOAD_URL,
  s3Url: DOWNLOAD_URL,
  stcUrl: DOWNLOAD_URL,

  // Lianxin: server-kept read positions behind synced unread counts; frame target is the user's own id.
  lxReadPos: { frame: Q, input: 'ReadPositionReq', output: 'ReadPositionOutput' },
} as const satisfies Readonly<Record<string, TopicSchema>>;
export type SdkTopic = keyof typeof SDK_TOPIC_SCHEMA;

export function isSdkTopic(value: string): value is SdkTopic {
  return Object.prototype.hasOwnProperty.call(SDK_TOPIC_SCHEMA, value);
}
