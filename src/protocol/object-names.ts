/**
 * Built-in object names and their storage policy (PROTOCOL.md §9.1, the official client's table).
 * Shared by the SDK (flags it sends) and the server (flags for Server API sends and sanity checks), so
 * both sides agree on what is stored and counted.
 */
export interface MessagePolicy {
  readonly persisted: boolean;
  readonly counted: boolean;
  /** Status messages are delivered to online sessions only: never stored, never echoed. */
  readonly status: boolean;
}

const USER_CONTENT = [
  'RC:TxtMsg', 'RC:ImgMsg', 'RC:VcMsg', 'RC:HQVCMsg', 'RC:ImgTextMsg', 'RC:FileMsg', 'RC:LBSMsg',
  'RC:PSImgTxtMsg', 'RC:PSMultiImgTxtMsg', 'RCJrmf:RpMsg', 'RCJrmf:RpOpendMsg', 'RC:CombineMsg',
  'RC:ReferenceMsg', 'RC:SightMsg', 'RC:GIFMsg',
] as const;

const NOTIFICATIONS = ['RC:InfoNtf', 'RC:ContactNtf', 'RC:ProfileNtf', 'RC:CmdNtf', 'RC:GrpNtf', 'RC:RcCmd', 'RC:DizNtf', 'RC:RcNtf'] as const;

const COMMANDS = [
  'RC:CmdMsg', 'RC:TypSts', 'RC:PSCmd', 'RC:SRSMsg', 'RC:RRReqMsg', 'RC:RRRspMsg', 'RC:CsChaR', 'RC:CSCha',
  'RC:CsEva', 'RC:CsContact', 'RC:CsHs', 'RC:CsHsR', 'RC:CsSp', 'RC:CsEnd', 'RC:CsUpdate', 'RC:ReadNtf',
  'RC:chrmKVNotiMsg', 'RC:VCAccept', 'RC:VCRinging', 'RC:VCSummary', 'RC:VCHangup', 'RC:VCInvite',
  'RC:VCModifyMedia', 'RC:VCModifyMem', 'RC:MsgExMsg', 'RC:RRMsg', 'RC:LogCmdMsg',
] as const;

/** Only typing status is a status message on receipt (PROTOCOL.md §9.1). */
const STATUS = new Set<string>(['RC:TypSts']);

const TABLE: ReadonlyMap<string, MessagePolicy> = new Map<string, MessagePolicy>([
  ...USER_CONTENT.map((n): [string, MessagePolicy] => [n, { persisted: true, counted: true, status: false }]),
  ...NOTIFICATIONS.map((n): [string, MessagePolicy] => [n, { persisted: true, counted: false, status: false }]),
  ...COMMANDS.map((n): [string, MessagePolicy] => [n, { persisted: false, counted: false, status: STATUS.has(n) }]),
]);

/** Policy of a built-in object name, or undefined for custom types (their flags come from the sender). */
export function builtInPolicy(objectName: string): MessagePolicy | undefined {
  return TABLE.get(objectName);
}

/** UpStreamMessage.sessionId bits for a policy (PROTOCOL.md §9.2); status messages carry 0. */
export function policyFlags(policy: MessagePolicy): number {
  if (policy.status) return 0;
  return (policy.persisted ? 1 : 0) | (policy.counted ? 2 : 0);
}

/** Object names reserved for RongCloud's built-in types: apps must not register custom types there. */
export function isReservedObjectName(objectName: string): boolean {
  return objectName.startsWith('RC:');
}
