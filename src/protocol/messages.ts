/**
 * The wire schema as TypeScript: message types (proto/gen/rc.d.ts, types only), the schema table
 * and name-based codecs running on the table codec (./table-codec). Nothing here loads protobufjs
 * or the pbjs static code (proto/gen/rc.js): that code is the test oracle (./pbjs-reference).
 *
 * Decoded messages are instances whose absent optional fields are prototype defaults
 * ('' / 0 / false / null / empty bytes) and whose repeated fields are own arrays, so test presence
 * with `Object.hasOwn`-style checks when absence matters (e.g. `DownStreamMessages.finished`:
 * absent means true).
 */
import type { rc } from '../../proto/gen/rc';
import type { RcMessageName } from './schema';
import { decodeTable, encodeTable } from './table-codec';

export type { rc };
export { RC_ENUMS, RC_MESSAGES } from './schema';
export type { RcEnumName, RcField, RcFieldRule, RcMessageName, RcScalar } from './schema';
export { decodeMessage, encodeMessage } from './pb';
export type { MessageDecoder, MessageEncoder } from './pb';

/** Decoded message type of a schema name, e.g. `MessageOf<'UpStreamMessage'>` = `rc.UpStreamMessage`. */
export type MessageOf<N extends RcMessageName> = InstanceType<(typeof rc)[N]>;
/** Plain-object type accepted by the encoder, e.g. `MessageInit<'UpStreamMessage'>` = `rc.IUpStreamMessage`. */
export type MessageInit<N extends RcMessageName> = Parameters<(typeof rc)[N]['encode']>[0];

/** A codec object shaped like a pbjs class (`decode(bytes)`, `encode(obj).finish()`). */
export interface MessageCodec {
  decode(reader: Uint8Array): object;
  encode(message: object): { finish(): Uint8Array };
}

const codecs = new Map<RcMessageName, MessageCodec>();

/** The table codec of a schema name, shaped like the pbjs class it replaces. */
export function messageCodec(name: RcMessageName): MessageCodec {
  let codec = codecs.get(name);
  if (codec === undefined) {
    codec = {
      decode: (bytes) => decodeTable(name, bytes),
      encode: (message) => {
        const bytes = encodeTable(name, message);
        return { finish: () => bytes };
      },
    };
    codecs.set(name, codec);
  }
  return codec;
}

/** Decodes `bytes` as message `name`; failures throw ProtocolError('protobuf'). */
export function decodeByName<N extends RcMessageName>(name: N, bytes: Uint8Array): MessageOf<N> {
  // The table codec builds instances of exactly this shape (see ./table-codec).
  return decodeTable(name, bytes) as unknown as MessageOf<N>;
}

/** Encodes a plain object as message `name`. */
export function encodeByName<N extends RcMessageName>(name: N, message: MessageInit<N>): Uint8Array {
  return encodeTable(name, message as object);
}

// Readable aliases for the types most code touches. Every other type is `rc.<Name>` / `rc.I<Name>`.
export type ChannelType = rc.ChannelType;
export type UpStreamMessage = rc.UpStreamMessage;
export type IUpStreamMessage = rc.IUpStreamMessage;
export type PushExtra = rc.PushExtra;
export type IPushExtra = rc.IPushExtra;
export type DownStreamMessage = rc.DownStreamMessage;
export type IDownStreamMessage = rc.IDownStreamMessage;
export type DownStreamMessages = rc.DownStreamMessages;
export type IDownStreamMessages = rc.IDownStreamMessages;
export type SyncRequestMsg = rc.SyncRequestMsg;
export type ISyncRequestMsg = rc.ISyncRequestMsg;
export type NotifyMsg = rc.NotifyMsg;
export type INotifyMsg = rc.INotifyMsg;
export type ChrmPullMsg = rc.ChrmPullMsg;
export type IChrmPullMsg = rc.IChrmPullMsg;
export type HistoryMsgInput = rc.HistoryMsgInput;
export type IHistoryMsgInput = rc.IHistoryMsgInput;
export type HistoryMsgOuput = rc.HistoryMsgOuput;
export type IHistoryMsgOuput = rc.IHistoryMsgOuput;
export type RelationQryInput = rc.RelationQryInput;
export type IRelationQryInput = rc.IRelationQryInput;
export type RelationsInput = rc.RelationsInput;
export type IRelationsInput = rc.IRelationsInput;
export type RelationsOutput = rc.RelationsOutput;
export type IRelationsOutput = rc.IRelationsOutput;
export type RelationInfo = rc.RelationInfo;
export type IRelationInfo = rc.IRelationInfo;
export type DeleteMsgInput = rc.DeleteMsgInput;
export type IDeleteMsgInput = rc.IDeleteMsgInput;
export type CleanHisMsgInput = rc.CleanHisMsgInput;
export type ICleanHisMsgInput = rc.ICleanHisMsgInput;
export type SessionReq = rc.SessionReq;
export type ISessionReq = rc.ISessionReq;
export type SessionStates = rc.SessionStates;
export type ISessionStates = rc.ISessionStates;
export type SessionStateModifyReq = rc.SessionStateModifyReq;
export type ISessionStateModifyReq = rc.ISessionStateModifyReq;
export type SessionStateModifyResp = rc.SessionStateModifyResp;
export type ISessionStateModifyResp = rc.ISessionStateModifyResp;
export type PullUserSettingInput = rc.PullUserSettingInput;
export type IPullUserSettingInput = rc.IPullUserSettingInput;
export type PullUserSettingOutput = rc.PullUserSettingOutput;
export type IPullUserSettingOutput = rc.IPullUserSettingOutput;
export type UserSettingItem = rc.UserSettingItem;
export type IUserSettingItem = rc.IUserSettingItem;
export type GrpReadReceiptMsg = rc.GrpReadReceiptMsg;
export type IGrpReadReceiptMsg = rc.IGrpReadReceiptMsg;
export type GrpReadReceiptQryResp = rc.GrpReadReceiptQryResp;
export type IGrpReadReceiptQryResp = rc.IGrpReadReceiptQryResp;
export type ChrmInput = rc.ChrmInput;
export type IChrmInput = rc.IChrmInput;
export type ChrmOutput = rc.ChrmOutput;
export type IChrmOutput = rc.IChrmOutput;
export type QueryChatRoomInfoInput = rc.QueryChatRoomInfoInput;
export type IQueryChatRoomInfoInput = rc.IQueryChatRoomInfoInput;
export type QueryChatRoomInfoOutput = rc.QueryChatRoomInfoOutput;
export type IQueryChatRoomInfoOutput = rc.IQueryChatRoomInfoOutput;
export type ChrmKVEntity = rc.ChrmKVEntity;
export type IChrmKVEntity = rc.IChrmKVEntity;
export type SetChrmKV = rc.SetChrmKV;
export type ISetChrmKV = rc.ISetChrmKV;
export type ChrmKVOutput = rc.ChrmKVOutput;
export type IChrmKVOutput = rc.IChrmKVOutput;
export type QueryChrmKV = rc.QueryChrmKV;
export type IQueryChrmKV = rc.IQueryChrmKV;
export type GetQNupTokenInput = rc.GetQNupTokenInput;
export type IGetQNupTokenInput = rc.IGetQNupTokenInput;
export type GetQNupTokenOutput = rc.GetQNupTokenOutput;
export type IGetQNupTokenOutput = rc.IGetQNupTokenOutput;
export type ReportSDKInput = rc.ReportSDKInput;
export type IReportSDKInput = rc.IReportSDKInput;
