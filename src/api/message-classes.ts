/**
 * Message "classes" of RongIMLib v2 (API_CHECKLIST §4): `new RongIMLib.TextMessage({content: 'hi'})`
 * yields `{messageType, objectName, content, isPersited, isCounted}`, and each class carries the
 * statics `MessageType` / `ObjectName`. Unlike the official client (whose factories stamp every
 * instance persisted+counted), the flags here are the real ones from the policy table shared with the
 * server, so `new TypingStatusMessage(…).isPersited` is false, as the wire behaves.
 */
import { builtInPolicy } from '../protocol/object-names';
import type { MentionedType } from './enums';

/** Who sent it, embedded in content by the app (`portrait`, not `portraitUri`, seed 2.10.3). */
export interface UserInfo {
  id?: string;
  name?: string;
  portrait?: string;
  extra?: string;
}

/** Fields every content may carry. */
export interface CommonContent {
  extra?: string;
  user?: UserInfo;
  mentionedInfo?: MentionedInfo;
  [field: string]: unknown;
}

export class BaseMessage<T = CommonContent> {
  readonly messageType: string;
  readonly objectName: string;
  content: T;
  readonly isPersited: boolean;
  readonly isCounted: boolean;

  constructor(messageType: string, objectName: string, content: T, isPersited = true, isCounted = true) {
    this.messageType = messageType;
    this.objectName = objectName;
    this.content = content;
    this.isPersited = isPersited;
    this.isCounted = isCounted;
  }
}

export interface MessageClass<T = CommonContent> {
  new (content?: T): BaseMessage<T>;
  readonly MessageType: string;
  readonly ObjectName: string;
}

export interface MessageFlags {
  readonly isPersited: boolean;
  readonly isCounted: boolean;
}

/** Flags of a built-in object name; custom names default to persisted+counted like the official client. */
export function builtInFlags(objectName: string): MessageFlags {
  const policy = builtInPolicy(objectName);
  if (!policy) return { isPersited: true, isCounted: true };
  return { isPersited: policy.persisted, isCounted: policy.counted };
}

/** Creates one message class; `flags` (from a MessageTag) override the built-in table. */
export function defineMessageClass<T = CommonContent>(messageType: string, objectName: string, flags: MessageFlags = builtInFlags(objectName)): MessageClass<T> {
  const cls = class extends BaseMessage<T> {
    static readonly MessageType: string = messageType;
    static readonly ObjectName: string = objectName;
    constructor(content?: T) {
      super(messageType, objectName, content ?? ({} as T), flags.isPersited, flags.isCounted);
    }
  };
  Object.defineProperty(cls, 'name', { value: messageType });
  return cls;
}

/** `registerMessageType`'s third argument. Argument order is (isCounted, isPersited), as in every v2 release. */
export class MessageTag {
  isCounted: boolean;
  isPersited: boolean;

  constructor(isCounted: boolean, isPersited: boolean) {
    this.isCounted = isCounted;
    this.isPersited = isPersited;
  }
}

/** Group @ data carried in `content.mentionedInfo`. */
export class MentionedInfo {
  type?: MentionedType | undefined;
  userIdList?: string[] | undefined;
  mentionedContent?: string | undefined;

  constructor(type?: MentionedType, userIdList?: string[], mentionedContent?: string) {
    this.type = type;
    this.userIdList = userIdList;
    this.mentionedContent = mentionedContent;
  }
}

export interface TextMessageContent extends CommonContent { content: string; burnDuration?: number }
export interface ImageMessageContent extends CommonContent { content: string; imageUri: string }
export interface GIFMessageContent extends CommonContent { gifDataSize: number; remoteUrl: string; width: number; height: number; localPath?: string }
export interface HQVoiceMessageContent extends CommonContent { remoteUrl: string; duration: number; type?: string; localPath?: string }
export interface VoiceMessageContent extends CommonContent { content: string; duration: number }
export interface FileMessageContent extends CommonContent { name: string; size: number | string; type: string; fileUrl: string }
export interface SightMessageContent extends CommonContent { sightUrl: string; content: string; duration: number; size: number; name: string }
export interface LocationMessageContent extends CommonContent { latitude: number; longitude: number; poi: string; content: string }
export interface RichContentMessageContent extends CommonContent { title: string; content: string; imageUri?: string; url?: string }
export interface TypingStatusMessageContent extends CommonContent { typingContentType: string; data?: string }
export interface ReadReceiptMessageContent extends CommonContent { messageUId?: string; lastMessageSendTime: number; type?: number | string }
export interface ReadReceiptRequestMessageContent extends CommonContent { messageUId?: string }
export interface ReadReceiptResponseMessageContent extends CommonContent { receiptMessageDic: Record<string, string[]> }
export interface SyncReadStatusMessageContent extends CommonContent { lastMessageSendTime: number }
export interface RecallCommandMessageContent extends CommonContent { conversationType: number; targetId: string; messageUId: string; sentTime: number }
export interface InformationNotificationMessageContent extends CommonContent { message: string }
export interface ProfileNotificationMessageContent extends CommonContent { operation: string; data: string }
export interface ContactNotificationMessageContent extends CommonContent { operation: string; sourceUserId: string; targetUserId: string; message: string }
export interface CommandMessageContent extends CommonContent { name: string; data: unknown }
export interface GroupNotificationMessageContent extends CommonContent { operatorUserId: string; operation: string; message: string; data: unknown }

export const TextMessage = defineMessageClass<TextMessageContent>('TextMessage', 'RC:TxtMsg');
export const ImageMessage = defineMessageClass<ImageMessageContent>('ImageMessage', 'RC:ImgMsg');
export const GIFMessage = defineMessageClass<GIFMessageContent>('GIFMessage', 'RC:GIFMsg');
export const HQVoiceMessage = defineMessageClass<HQVoiceMessageContent>('HQVoiceMessage', 'RC:HQVCMsg');
export const VoiceMessage = defineMessageClass<VoiceMessageContent>('VoiceMessage', 'RC:VcMsg');
export const FileMessage = defineMessageClass<FileMessageContent>('FileMessage', 'RC:FileMsg');
export const SightMessage = defineMessageClass<SightMessageContent>('SightMessage', 'RC:SightMsg');
export const LocationMessage = defineMessageClass<LocationMessageContent>('LocationMessage', 'RC:LBSMsg');
export const RichContentMessage = defineMessageClass<RichContentMessageContent>('RichContentMessage', 'RC:ImgTextMsg');
export const TypingStatusMessage = defineMessageClass<TypingStatusMessageContent>('TypingStatusMessage', 'RC:TypSts');
export const ReadReceiptMessage = defineMessageClass<ReadReceiptMessageContent>('ReadReceiptMessage', 'RC:ReadNtf');
export const ReadReceiptRequestMessage = defineMessageClass<ReadReceiptRequestMessageContent>('ReadReceiptRequestMessage', 'RC:RRReqMsg');
export const ReadReceiptResponseMessage = defineMessageClass<ReadReceiptResponseMessageContent>('ReadReceiptResponseMessage', 'RC:RRRspMsg');
export const SyncReadStatusMessage = defineMessageClass<SyncReadStatusMessageContent>('SyncReadStatusMessage', 'RC:SRSMsg');
export const RecallCommandMessage = defineMessageClass<RecallCommandMessageContent>('RecallCommandMessage', 'RC:RcCmd');
export const InformationNotificationMessage = defineMessageClass<InformationNotificationMessageContent>('InformationNotificationMessage', 'RC:InfoNtf');
export const ProfileNotificationMessage = defineMessageClass<ProfileNotificationMessageContent>('ProfileNotificationMessage', 'RC:ProfileNtf');
export const ContactNotificationMessage = defineMessageClass<ContactNotificationMessageContent>('ContactNotificationMessage', 'RC:ContactNtf');
export const CommandMessage = defineMessageClass<CommandMessageContent>('CommandMessage', 'RC:CmdMsg');
export const CommandNotificationMessage = defineMessageClass<CommandMessageContent>('CommandNotificationMessage', 'RC:CmdNtf');
export const GroupNotificationMessage = defineMessageClass<GroupNotificationMessageContent>('GroupNotificationMessage', 'RC:GrpNtf');
export const ReferenceMessage = defineMessageClass('ReferenceMessage', 'RC:ReferenceMsg');
export const RCCombineMessage = defineMessageClass('RCCombineMessage', 'RC:CombineMsg');
export const PublicServiceRichContentMessage = defineMessageClass('PublicServiceRichContentMessage', 'RC:PSImgTxtMsg');
export const PublicServiceMultiRichContentMessage = defineMessageClass('PublicServiceMultiRichContentMessage', 'RC:PSMultiImgTxtMsg');
export const AcceptMessage = defineMessageClass('AcceptMessage', 'RC:VCAccept');
export const RingingMessage = defineMessageClass('RingingMessage', 'RC:VCRinging');
export const SummaryMessage = defineMessageClass('SummaryMessage', 'RC:VCSummary');
export const HungupMessage = defineMessageClass('HungupMessage', 'RC:VCHangup');
export const InviteMessage = defineMessageClass('InviteMessage', 'RC:VCInvite');
export const MediaModifyMessage = defineMessageClass('MediaModifyMessage', 'RC:VCModifyMedia');
export const MemberModifyMessage = defineMessageClass('MemberModifyMessage', 'RC:VCModifyMem');
