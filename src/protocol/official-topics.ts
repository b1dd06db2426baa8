/**
 * The official clients' topics (PROTOCOL.md §6) that the Lianxin SDK never sends nor handles:
 * blacklist, push blocking, user status, discussions, public services, VoIP, RTC and legacy topics. The server
 * answers them; ./topics joins this table with ./sdk-topics into the whole catalogue. SDK bundles
 * never carry this file (see ./topics-sdk).
 */
import type { TopicSchema } from './sdk-topics';

const P = 'publish';
const Q = 'query';
const S = 'push';
const BLOCK_PUSH = { frame: Q, input: 'BlockPushInput' } as const;
const MP_FOLLOW = { frame: Q, input: 'MPFollowInput', output: 'MPFollowOutput' } as const;

export const OFFICIAL_ONLY_TOPIC_SCHEMA = {
  ppMsgN: { frame: P, input: 'UpStreamMessage', unused: true },
  s_stat: { frame: S, input: 'GetUserStatusOutput' },
  rtc_ntf: { frame: S, input: 'RtcNotifyMsg' },

  qryRelation: { frame: Q, input: 'RelationsInput', output: 'RelationsOutput' },
  disTag: { frame: Q, input: 'SessionDisTagReq', unused: true },
  // GetQNupTokenOutput re-used: deadline = settings version, token = duration in days as text.
  setOfflineMsgDur: { frame: Q, input: 'GetQNupTokenOutput' },
  updRRTime: { frame: Q, input: 'SessionMsgReadInput', output: 'SessionMsgReadOutput', unused: true },
  qrySessionsAtt: { frame: Q, input: 'SessionsAttQryInput', output: 'SessionsAttOutput', unused: true },
  qrySessions: { frame: Q, unused: true },
  delSessions: { frame: Q, input: 'DeleteSessionsInput', output: 'DeleteSessionsOutput', unused: true },

  createChrm: { frame: Q, unused: true },
  destroyChrm: { frame: Q, unused: true },
  queryChrm: { frame: Q, unused: true },

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
} as const satisfies Readonly<Record<string, TopicSchema>>;
