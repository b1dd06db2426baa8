/**
 * Topic catalogue (PROTOCOL.md §6): every topic name either official client knows, which frame
 * carries it and which protobuf types travel with it, so server, SDK and comet code can look up the
 * payload type of any topic instead of hard-coding it.
 *
 * Split by role: ./sdk-topics (what the SDK sends or receives), ./official-topics (the rest, which
 * only the server answers), ./send-topics (send/status topic ↔ conversation type). SDK bundles
 * resolve this module to ./topics-sdk (rollup.config.mjs `sdkTables`), which carries only the first.
 */
import { OFFICIAL_ONLY_TOPIC_SCHEMA } from './official-topics';
import { SDK_TOPIC_SCHEMA } from './sdk-topics';
import type { TopicSchema } from './sdk-topics';

export type { TopicFrame, TopicSchema } from './sdk-topics';
export {
  SEND_TOPIC_CONVERSATION_TYPE,
  STATUS_TOPIC_CONVERSATION_TYPE,
  conversationTypeOfTopic,
  isSendTopic,
  isStatusTopic,
  sendTopicFor,
} from './send-topics';
export type { SendTopic, StatusTopic } from './send-topics';

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
  pbMsgP: 'pbMsgP',
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
 * Every topic's schema. The two parts are disjoint and together name every topic of `Topic`
 * (the mapped type below fails to compile if one is missing; topics.test.ts checks nothing extra).
 */
export const TOPIC_SCHEMA: { readonly [T in Topic]: TopicSchema } = { ...SDK_TOPIC_SCHEMA, ...OFFICIAL_ONLY_TOPIC_SCHEMA };

/** Type guard for topic strings read off the wire. */
export function isTopic(value: string): value is Topic {
  return Object.prototype.hasOwnProperty.call(TOPIC_SCHEMA, value);
}

