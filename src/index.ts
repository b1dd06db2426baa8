/**
 * Public entry of the SDK core: the RongIMLib v2 namespace surface minus the host. Host-free on
 * purpose — a platform entry (platforms/<host>/index.ts) re-exports this and adds
 * `RongIMClient = createRongIMLib(<host adapter>).RongIMClient`. Explicit list (nats `mod.ts` style):
 * nothing becomes public by accident.
 */

// Factory: one RongIMLib instance per host adapter.
export { createRongIMLib } from './api/rong-im-client';
export type { ConnectCallbacks, RongIMClientStatic, RongIMLibInstance } from './api/rong-im-client';
export type { InitOptions, RuntimeDefaults } from './api/runtime';
export { SDK_VERSION } from './api/runtime';
export { IMClient } from './api/im-client';
export type { ApiCallback, ChatroomEntriesFailure, ChatroomEntryInput, SendMessageCallback } from './api/im-client';
export type {
  ChatRoomStatusListener,
  ConnectionStatusChangeListener,
  ConnectionStatusListener,
  ConversationStatusListener,
  ExpansionDeletion,
  ExpansionUpdate,
  MessageBlockedListener,
  MessageExpansionListener,
  PullOfflineFinishedListener,
  ReceiveMessageListener,
  ReceivedConversationStatus,
  TagListener,
  TypingStatusListener,
} from './api/listeners';

// Enums.
export {
  ChatroomEntryType,
  ChatroomUserChangeType,
  ConnectionState,
  ConnectionStatus,
  ConversationType,
  ErrorCode,
  FileType,
  GetChatRoomType,
  LogLevel,
  MentionedType,
  MessageBlockType,
  MessageDirection,
  NotificationStatus,
  RCConnectionStatus,
  ReceivedStatus,
  SentStatus,
  UploadMethod,
  VoIPMediaType,
} from './api/enums';

// Message model.
export { Message } from './api/message';
export type { MessageContent, PushConfig } from './api/message';
export {
  AcceptMessage,
  BaseMessage,
  CommandMessage,
  CommandNotificationMessage,
  ContactNotificationMessage,
  FileMessage,
  GIFMessage,
  GroupNotificationMessage,
  HQVoiceMessage,
  HungupMessage,
  ImageMessage,
  InformationNotificationMessage,
  InviteMessage,
  LocationMessage,
  MediaModifyMessage,
  MemberModifyMessage,
  MentionedInfo,
  MessageTag,
  ProfileNotificationMessage,
  PublicServiceMultiRichContentMessage,
  PublicServiceRichContentMessage,
  RCCombineMessage,
  ReadReceiptMessage,
  ReadReceiptRequestMessage,
  ReadReceiptResponseMessage,
  RecallCommandMessage,
  ReferenceMessage,
  RichContentMessage,
  RingingMessage,
  SightMessage,
  SummaryMessage,
  SyncReadStatusMessage,
  TextMessage,
  TypingStatusMessage,
  VoiceMessage,
} from './api/message-classes';
export type {
  CommonContent,
  MessageClass,
  MessageFlags,
  TextMessageContent,
  UserInfo,
} from './api/message-classes';

// Shapes passed to callbacks.
export type { V2Conversation, V2Conversation as IConversation } from './api/to-v2';
export type { ConversationTagResult, TagInfoResult, V2ConversationInTag } from './api/tags-api';
export type { ReceivedConversationStatus as IReceivedConversationStatus } from './api/listeners';
export type { TypingConversation as ITypingMessage, TypingConversation, TypingUser } from './client/services/typing-tracker';
export type { MessageReaders } from './client/services/group-read-receipts';
export type { ChatroomInfo, ChatroomStatusInfo } from './client/services/chatroom/chatroom-service';
export type { KvChange as ChatroomEntryChange } from './client/services/chatroom/chatroom-kv-cache';
export type { BlockedMessageInfo } from './api/blocked-message';
export type { PushConfigInput as IPushConfig, SendOptions as ISendOptionsV2 } from './client/services/outgoing';

// Errors.
export { SdkError } from './errors';

// Files: the upload helper (RongCloud's UploadClient, over PlatformAdapter.upload).
export { createUploadClient, resolveUploadUrl } from './upload/upload-client';
export type { UploadCallbacks, UploadClient, UploadClientOptions, UploadConfig, UploadFileHandle } from './upload/upload-client';
export { runUpload, UploadFailure } from './upload/uploader';
export type { RunningUpload, UploadJob, UploadResult } from './upload/uploader';
export { describeUploadFile } from './upload/upload-file';
export type { UploadFileInfo } from './upload/upload-file';
export type { FileTokenResult, FileUrlResult } from './client/services/files';
export type { PendingUpload, Thumbnail, ThumbnailOptions, UploadRequest, UploadSource, UploadSourceKind } from './platform/upload-request';
