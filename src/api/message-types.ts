/**
 * The built-in v2 message type names and their wire object names (API_CHECKLIST §4). A received
 * message's `messageType` is looked up here (then in the app's registrations); unknown object names
 * become `UnknownMessage`. Storage/count flags are NOT here: they come from the table shared with
 * the server (src/protocol/object-names.ts), so SDK and server cannot disagree.
 */

/** [messageType, objectName] for every built-in type the SDK recognises on receipt. */
export const BUILT_IN_TYPES: ReadonlyArray<readonly [string, string]> = [
  ['TextMessage', 'RC:TxtMsg'],
  ['ImageMessage', 'RC:ImgMsg'],
  ['GIFMessage', 'RC:GIFMsg'],
  ['HQVoiceMessage', 'RC:HQVCMsg'],
  ['VoiceMessage', 'RC:VcMsg'],
  ['FileMessage', 'RC:FileMsg'],
  ['SightMessage', 'RC:SightMsg'],
  ['LocationMessage', 'RC:LBSMsg'],
  ['RichContentMessage', 'RC:ImgTextMsg'],
  ['TypingStatusMessage', 'RC:TypSts'],
  ['ReadReceiptMessage', 'RC:ReadNtf'],
  ['ReadReceiptRequestMessage', 'RC:RRReqMsg'],
  ['ReadReceiptResponseMessage', 'RC:RRRspMsg'],
  ['SyncReadStatusMessage', 'RC:SRSMsg'],
  ['RecallCommandMessage', 'RC:RcCmd'],
  ['InformationNotificationMessage', 'RC:InfoNtf'],
  ['ProfileNotificationMessage', 'RC:ProfileNtf'],
  ['ContactNotificationMessage', 'RC:ContactNtf'],
  ['CommandMessage', 'RC:CmdMsg'],
  ['CommandNotificationMessage', 'RC:CmdNtf'],
  ['GroupNotificationMessage', 'RC:GrpNtf'],
  ['DiscussionNotificationMessage', 'RC:DizNtf'],
  ['ReferenceMessage', 'RC:ReferenceMsg'],
  ['RCCombineMessage', 'RC:CombineMsg'],
  ['ChrmKVNotificationMessage', 'RC:chrmKVNotiMsg'],
  ['LogCommandMessage', 'RC:LogCmdMsg'],
  ['PublicServiceRichContentMessage', 'RC:PSImgTxtMsg'],
  ['PublicServiceMultiRichContentMessage', 'RC:PSMultiImgTxtMsg'],
  ['PublicServiceCommandMessage', 'RC:PSCmd'],
  ['JrmfRedPacketMessage', 'RCJrmf:RpMsg'],
  ['JrmfRedPacketOpenedMessage', 'RCJrmf:RpOpendMsg'],
  ['AcceptMessage', 'RC:VCAccept'],
  ['RingingMessage', 'RC:VCRinging'],
  ['SummaryMessage', 'RC:VCSummary'],
  ['HungupMessage', 'RC:VCHangup'],
  ['InviteMessage', 'RC:VCInvite'],
  ['MediaModifyMessage', 'RC:VCModifyMedia'],
  ['MemberModifyMessage', 'RC:VCModifyMem'],
  ['ChangeModeResponseMessage', 'RC:CsChaR'],
  ['ChangeModeMessage', 'RC:CSCha'],
  ['EvaluateMessage', 'RC:CsEva'],
  ['CustomerContact', 'RC:CsContact'],
  ['HandShakeMessage', 'RC:CsHs'],
  ['HandShakeResponseMessage', 'RC:CsHsR'],
  ['SuspendMessage', 'RC:CsSp'],
  ['TerminateMessage', 'RC:CsEnd'],
  ['CustomerStatusUpdateMessage', 'RC:CsUpdate'],
];

export const UNKNOWN_MESSAGE_TYPE = 'UnknownMessage';

const BY_OBJECT_NAME: ReadonlyMap<string, string> = new Map(BUILT_IN_TYPES.map(([type, name]) => [name, type]));
const BY_MESSAGE_TYPE: ReadonlyMap<string, string> = new Map(BUILT_IN_TYPES.map(([type, name]) => [type, name]));

export function builtInMessageType(objectName: string): string | undefined {
  return BY_OBJECT_NAME.get(objectName);
}

export function builtInObjectName(messageType: string): string | undefined {
  return BY_MESSAGE_TYPE.get(messageType);
}

/** `RongIMClient.MessageType`: name → name, for RTC/CallLib compatibility (2.7.6 "补全 MessageType"). */
export function createMessageTypeMap(): Record<string, string> {
  const map: Record<string, string> = {};
  for (const [type] of BUILT_IN_TYPES) map[type] = type;
  map['HandshakeMessage'] = 'HandshakeMessage';
  map[UNKNOWN_MESSAGE_TYPE] = UNKNOWN_MESSAGE_TYPE;
  return map;
}
