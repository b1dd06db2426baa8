/**
 * Topic catalogue (PROTOCOL.md §6): every topic name either official client knows, which frame
 * carries it and which protobuf types travel with it, so server, SDK and comet code can look up the
 * payload type of any topic instead of hard-coding it.
 */
import type { RcMessageName } from '../../proto/gen/rc-schema';

export const Topic = {
  // §6.1 Messaging
  ppMsgP: 'ppMsgP',
  pdMsgP: 'pdMsgP',
  pgMsgP: 'pgMsgP',
  chatMsg: 'chatMsg',
  pcMsgP: 'pcMsgP',
  pcuMsgP: 'pcuMsgP',
  pmcMsgN: 'pmcMsgN',
  pmpMsgN: 'pmpMsgN',
  prMsgS: 'prMsgS',
  prMsgP: 'prMsgP',
  ppMsgS: 'ppMsgS',
  pgMsgS: 'pgMsgS',
  chatMsgS: 'chatMsgS',
  ppMsgN: 'ppMsgN',
  recallMsg: 'recallMsg',
  // §6.2 Sync, pull and push
  pullMsg: 'pullMsg',
  chrmPull: 'chrmPull',
  s_ntf: 's_ntf',
  s_msg: 's_msg',
  s_cmd: 's_cmd',
  s_us: 's_us',
  s_stat: 's_stat',
  rtc_ntf: 'rtc_ntf',
  // §6.3 History, conversations, read state, tags
  qryPMsg: 'qryPMsg',
  qryDMsg: 'qryDMsg',
  qryGMsg: 'qryGMsg',
  qryCMsg: 'qryCMsg',
  qrySMsg: 'qrySMsg',
  qryCHMsg: 'qryCHMsg',
  qryRelationR: 'qryRelationR',
  qryRelation: 'qryRelation',
  delRelation: 'delRelation',
  delMsg: 'delMsg',
  cleanPMsg: 'cleanPMsg',
  cleanGMsg: 'cleanGMsg',
  cleanCMsg: 'cleanCMsg',
  cleanSMsg: 'cleanSMsg',
  cleanDMsg: 'cleanDMsg',
  pullSeAtts: 'pullSeAtts',
  setSeAtt: 'setSeAtt',
  addTag: 'addTag',
  delTag: 'delTag',
  addSeTag: 'addSeTag',
  delSeTag: 'delSeTag',
  disTag: 'disTag',
  pullUS: 'pullUS',
  setOfflineMsgDur: 'setOfflineMsgDur',
  rrMsg: 'rrMsg',
  rrList: 'rrList',
  updRRTime: 'updRRTime',
  qrySessionsAtt: 'qrySessionsAtt',
  qrySessions: 'qrySessions',
  delSessions: 'delSessions',
  // §6.4 Chatroom
  joinChrm: 'joinChrm',
  joinChrmR: 'joinChrmR',
  exitChrm: 'exitChrm',
  queryChrmI: 'queryChrmI',
  setKV: 'setKV',
  delKV: 'delKV',
  pullKV: 'pullKV',
  createChrm: 'createChrm',
  destroyChrm: 'destroyChrm',
  queryChrm: 'queryChrm',
  // §6.5 Files / media
  qnTkn: 'qnTkn',
  qnUrl: 'qnUrl',
  aliUrl: 'aliUrl',
  s3Url: 's3Url',
  stcUrl: 'stcUrl',
  // §6.6 Blacklist, push block, user status, discussions, public services, VoIP, legacy
  addBlack: 'addBlack',
  rmBlack: 'rmBlack',
  getBlack: 'getBlack',
  blackStat: 'blackStat',
  qryPPush: 'qryPPush',
  qryDPush: 'qryDPush',
  blkPPush: 'blkPPush',
  blkDPush: 'blkDPush',
  unblkPPush: 'unblkPPush',
  unblkDPush: 'unblkDPush',
  getUserStatus: 'getUserStatus',
  setUserStatus: 'setUserStatus',
  subUserStatus: 'subUserStatus',
  crDiz: 'crDiz',
  invtDiz: 'invtDiz',
  dizInf: 'dizInf',
  quitDiz: 'quitDiz',
  evctDiz: 'evctDiz',
  pdOpen: 'pdOpen',
  rename: 'rename',
  pullMp: 'pullMp',
  schMp: 'schMp',
  mcFollow: 'mcFollow',
  mpFollow: 'mpFollow',
  mcUnFollow: 'mcUnFollow',
  mpUnFollow: 'mpUnFollow',
  qryVoipK: 'qryVoipK',
  userInf: 'userInf',
  joinGrp: 'joinGrp',
  exitGrp: 'exitGrp',
  pGrps: 'pGrps',
  uGcmpr: 'uGcmpr',
  addRelation: 'addRelation',
  cleanHisMsg: 'cleanHisMsg',
  // §6.7 RTC
  rtcRJoin_data: 'rtcRJoin_data',
  rtcRExit: 'rtcRExit',
  rtcPing: 'rtcPing',
  rtcRInfo: 'rtcRInfo',
  rtcUData: 'rtcUData',
  rtcUList: 'rtcUList',
  rtcUPut: 'rtcUPut',
  rtcUDel: 'rtcUDel',
  rtcRPut: 'rtcRPut',
  rtcRDel: 'rtcRDel',
  rtcSetData: 'rtcSetData',
  rtcQryData: 'rtcQryData',
  rtcDelData: 'rtcDelData',
  userSetData: 'userSetData',
  rtcSetOutData: 'rtcSetOutData',
  rtcQryUserOutData: 'rtcQryUserOutData',
  rtcToken: 'rtcToken',
  rtcUserState: 'rtcUserState',
  viewerJoinR: 'viewerJoinR',
  viewerExitR: 'viewerExitR',
  rtcIdentityChange: 'rtcIdentityChange',
  rtcPullKv: 'rtcPullKv',
  // §6.8 Misc
  reportsdk: 'reportsdk',
  // Lianxin additions (docs/PROTOCOL-NOTES.md), never sent by the official clients.
  lxReadPos: 'lxReadPos',
} as const;
export type Topic = (typeof Topic)[keyof typeof Topic];

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
const UP: RcMessageName = 'UpStreamMessage';
const HISTORY = { frame: Q, input: 'HistoryMsgInput', output: 'HistoryMsgOuput' } as const;
const CLEAN = { frame: Q, input: 'CleanHisMsgInput' } as const;
const BLOCK_PUSH = { frame: Q, input: 'BlockPushInput' } as const;
const MP_FOLLOW = { frame: Q, input: 'MPFollowInput', output: 'MPFollowOutput' } as const;
const DOWNLOAD_URL = { frame: Q, input: 'GetDownloadUrlInput', output: 'GetDownloadUrlOutput' } as const;

export const TOPIC_SCHEMA: { readonly [T in Topic]: TopicSchema } = {
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
  // Status messages: E4 sends them with messageId 0 and ignores any PUBACK; never echo them.
  ppMsgS: { frame: P, input: UP },
  pgMsgS: { frame: P, input: UP },
  chatMsgS: { frame: S, input: UP },
  ppMsgN: { frame: P, input: UP, unused: true },
  // Frame target is the sender's own id; the recalled conversation is inside the content.
  recallMsg: { frame: P, input: UP },

  pullMsg: { frame: Q, input: 'SyncRequestMsg', output: 'DownStreamMessages' },
  chrmPull: { frame: Q, input: 'ChrmPullMsg', output: 'DownStreamMessages' },
  s_ntf: { frame: S, input: 'NotifyMsg' },
  s_msg: { frame: S, input: 'DownStreamMessage' },
  s_cmd: { frame: S, input: 'NotifyMsg' },
  s_us: { frame: S, input: 'UserSettingNotification' },
  s_stat: { frame: S, input: 'GetUserStatusOutput' },
  rtc_ntf: { frame: S, input: 'RtcNotifyMsg' },

  qryPMsg: HISTORY,
  qryDMsg: HISTORY,
  qryGMsg: HISTORY,
  qryCMsg: HISTORY,
  qrySMsg: HISTORY,
  qryCHMsg: HISTORY,
  qryRelationR: { frame: Q, input: 'RelationQryInput', output: 'RelationsOutput' },
  qryRelation: { frame: Q, input: 'RelationsInput', output: 'RelationsOutput' },
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
  disTag: { frame: Q, input: 'SessionDisTagReq', unused: true },
  pullUS: { frame: Q, input: 'PullUserSettingInput', output: 'PullUserSettingOutput' },
  // GetQNupTokenOutput re-used: deadline = settings version, token = duration in days as text.
  setOfflineMsgDur: { frame: Q, input: 'GetQNupTokenOutput' },
  rrMsg: { frame: Q, input: 'GrpReadReceiptMsg' },
  rrList: { frame: Q, input: 'GrpReadReceiptQryReq', output: 'GrpReadReceiptQryResp' },
  updRRTime: { frame: Q, input: 'SessionMsgReadInput', output: 'SessionMsgReadOutput', unused: true },
  qrySessionsAtt: { frame: Q, input: 'SessionsAttQryInput', output: 'SessionsAttOutput', unused: true },
  qrySessions: { frame: Q, unused: true },
  delSessions: { frame: Q, input: 'DeleteSessionsInput', output: 'DeleteSessionsOutput', unused: true },

  joinChrm: { frame: Q, input: 'ChrmInput', output: 'ChrmOutput' },
  joinChrmR: { frame: Q, input: 'ChrmInput', output: 'ChrmOutput' },
  // L2 names ChrmOutput as the reply type; the server sends no payload.
  exitChrm: { frame: Q, input: 'ChrmInput' },
  queryChrmI: { frame: Q, input: 'QueryChatRoomInfoInput', output: 'QueryChatRoomInfoOutput' },
  setKV: { frame: Q, input: 'SetChrmKV' },
  delKV: { frame: Q, input: 'SetChrmKV', inputL2: 'DeleteChrmKV' },
  pullKV: { frame: Q, input: 'QueryChrmKV', output: 'ChrmKVOutput' },
  createChrm: { frame: Q, unused: true },
  destroyChrm: { frame: Q, unused: true },
  queryChrm: { frame: Q, unused: true },

  qnTkn: { frame: Q, input: 'GetQNupTokenInput', output: 'GetQNupTokenOutput' },
  qnUrl: { frame: Q, input: 'GetQNdownloadUrlInput', output: 'GetQNdownloadUrlOutput' },
  aliUrl: DOWNLOAD_URL,
  s3Url: DOWNLOAD_URL,
  stcUrl: DOWNLOAD_URL,

  addBlack: { frame: Q, input: 'Add2BlackListInput' },
  rmBlack: { frame: Q, input: 'RemoveFromBlackListInput' },
  getBlack: { frame: Q, input: 'QueryBlackListInput', output: 'QueryBlackListOutput' },
  // Answered by status only: 0 = in blacklist.
  blackStat: { frame: Q, input: 'BlackListStatusInput' },
  // Answered by status only: 0 = do not disturb, 1 = notify.
  qryPPush: BLOCK_PUSH,
  qryDPush: BLOCK_PUSH,
  blkPPush: BLOCK_PUSH,
  blkDPush: BLOCK_PUSH,
  unblkPPush: BLOCK_PUSH,
  unblkDPush: BLOCK_PUSH,
  getUserStatus: { frame: Q, input: 'GetUserStatusInput', output: 'GetUserStatusOutput' },
  setUserStatus: { frame: Q, input: 'SetUserStatusInput', output: 'SetUserStatusOutput' },
  subUserStatus: { frame: Q, input: 'SubUserStatusInput', output: 'SubUserStatusOutput' },
  crDiz: { frame: Q, input: 'CreateDiscussionInput', output: 'CreateDiscussionOutput' },
  invtDiz: { frame: Q, input: 'ChannelInvitationInput' },
  dizInf: { frame: Q, input: 'ChannelInfoInput', output: 'ChannelInfoOutput' },
  quitDiz: { frame: Q, input: 'LeaveChannelInput' },
  evctDiz: { frame: Q, input: 'ChannelEvictionInput' },
  pdOpen: { frame: Q, input: 'ModifyPermissionInput' },
  rename: { frame: Q, input: 'RenameChannelInput' },
  pullMp: { frame: Q, input: 'PullMpInput', output: 'PullMpOutput' },
  schMp: { frame: Q, input: 'SearchMpInput', output: 'SearchMpOutput' },
  mcFollow: MP_FOLLOW,
  mpFollow: MP_FOLLOW,
  mcUnFollow: MP_FOLLOW,
  mpUnFollow: MP_FOLLOW,
  qryVoipK: { frame: Q, input: 'VoipDynamicInput', output: 'VoipDynamicOutput' },
  userInf: { frame: Q, input: 'GetUserInfoInput', output: 'GetUserInfoOutput', unused: true },
  joinGrp: { frame: Q, input: 'GroupInput', output: 'GroupOutput', unused: true },
  exitGrp: { frame: Q, input: 'GroupInput', output: 'GroupOutput', unused: true },
  pGrps: { frame: Q, input: 'GroupHashInput', output: 'GroupHashOutput', unused: true },
  uGcmpr: { frame: Q, unused: true },
  addRelation: { frame: Q, unused: true },
  cleanHisMsg: { frame: Q, input: 'CleanHisMsgInput', unused: true },

  rtcRJoin_data: { frame: Q, input: 'RtcInput', output: 'RtcUserListOutput' },
  rtcRExit: { frame: Q, input: 'SetUserStatusInput' },
  rtcPing: { frame: Q, input: 'RtcInput' },
  rtcRInfo: { frame: Q, input: 'RtcQueryListInput', output: 'RtcRoomInfoOutput' },
  rtcUData: { frame: Q, input: 'RtcQueryListInput', output: 'RtcUserListOutput' },
  rtcUList: { frame: Q, input: 'RtcQueryListInput', output: 'RtcUserListOutput' },
  rtcUPut: { frame: Q, input: 'RtcValueInfo' },
  // E4 PUBLISHes these with qos 0 and still waits for a PUBACK; L2 QUERYs them.
  rtcUDel: { frame: P, input: 'RtcKeyDeleteInput', frameL2: Q },
  rtcRPut: { frame: Q, input: 'RtcValueInfo' },
  rtcRDel: { frame: Q, input: 'RtcKeyDeleteInput' },
  rtcSetData: { frame: P, input: 'RtcSetDataInput', output: 'RtcOutput', frameL2: Q },
  rtcQryData: { frame: Q, input: 'RtcDataInput', output: 'RtcQryOutput' },
  rtcDelData: { frame: P, input: 'RtcDataInput', output: 'RtcOutput', frameL2: Q },
  userSetData: { frame: Q, input: 'RtcUserSetDataInput' },
  rtcSetOutData: { frame: Q, input: 'RtcSetOutDataInput', output: 'RtcOutput' },
  rtcQryUserOutData: { frame: Q, input: 'RtcQryUserOutDataInput', output: 'RtcUserOutDataOutput' },
  rtcToken: { frame: Q, input: 'RtcInput', output: 'RtcTokenOutput' },
  rtcUserState: { frame: Q, input: 'MCFollowInput' },
  viewerJoinR: { frame: Q, input: 'RtcInput', output: 'RtcTokenOutput' },
  viewerExitR: { frame: Q, input: 'SetUserStatusInput' },
  rtcIdentityChange: { frame: Q, input: 'RtcInput', output: 'RtcUserListOutput' },
  // Frame target is the user's own id.
  rtcPullKv: { frame: Q, input: 'RtcPullKV', output: 'RtcKVOutput' },

  // Sent by E4 right after every successful connect; acknowledge with status 0.
  reportsdk: { frame: Q, input: 'ReportSDKInput' },

  // Lianxin: server-kept read positions behind synced unread counts; frame target is the user's own id.
  lxReadPos: { frame: Q, input: 'ReadPositionReq', output: 'ReadPositionOutput' },
};

/** Type guard for topic strings read off the wire. */
export function isTopic(value: string): value is Topic {
  return Object.prototype.hasOwnProperty.call(TOPIC_SCHEMA, value);
}

/**
 * Send topics (client PUBLISH of an UpStreamMessage) → conversation type. This is how a server
 * files a sent message and how a client labels a multi-device echo (E4 maps ppMsgP→1, pgMsgP→3,
 * chatMsg→4, pcMsgP→5; L2 maps by the first two letters, which also yields pdMsgP→2).
 */
export const SEND_TOPIC_CONVERSATION_TYPE = {
  ppMsgP: 1,
  pdMsgP: 2,
  pgMsgP: 3,
  chatMsg: 4,
  pcMsgP: 5,
  pcuMsgP: 5,
  pmcMsgN: 7,
  pmpMsgN: 8,
  prMsgS: 12,
  prMsgP: 13,
} as const;
export type SendTopic = keyof typeof SEND_TOPIC_CONVERSATION_TYPE;

/**
 * Status topics (typing indicators, custom status): never persisted, never echoed to the sender's
 * other devices (E4 processes them without waiting for a PUBACK and crashes on an echo's ack).
 */
export const STATUS_TOPIC_CONVERSATION_TYPE = {
  ppMsgS: 1,
  pgMsgS: 3,
  chatMsgS: 4,
} as const;
export type StatusTopic = keyof typeof STATUS_TOPIC_CONVERSATION_TYPE;

export function isSendTopic(topic: string): topic is SendTopic {
  return Object.prototype.hasOwnProperty.call(SEND_TOPIC_CONVERSATION_TYPE, topic);
}

export function isStatusTopic(topic: string): topic is StatusTopic {
  return Object.prototype.hasOwnProperty.call(STATUS_TOPIC_CONVERSATION_TYPE, topic);
}

/** Conversation type carried by a send or status topic, or undefined for any other topic. */
export function conversationTypeOfTopic(topic: string): number | undefined {
  if (isSendTopic(topic)) return SEND_TOPIC_CONVERSATION_TYPE[topic];
  if (isStatusTopic(topic)) return STATUS_TOPIC_CONVERSATION_TYPE[topic];
  return undefined;
}

/**
 * Topic a client uses to send to a conversation type, as E4 does: status messages go to
 * ppMsgS/pgMsgS for PRIVATE/GROUP and to chatMsg for CHATROOM (E4 has no chatroom status topic on
 * the send side). Undefined for types no send topic exists for (e.g. SYSTEM 6).
 */
export function sendTopicFor(conversationType: number, status = false): SendTopic | StatusTopic | undefined {
  switch (conversationType) {
    case 1:
      return status ? 'ppMsgS' : 'ppMsgP';
    case 2:
      return 'pdMsgP';
    case 3:
      return status ? 'pgMsgS' : 'pgMsgP';
    case 4:
      return 'chatMsg';
    case 5:
      return 'pcMsgP';
    case 7:
      return 'pmcMsgN';
    case 8:
      return 'pmpMsgN';
    case 12:
      return 'prMsgS';
    default:
      return undefined;
  }
}
