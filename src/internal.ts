/**
 * Internal entry (nats `internal_mod.ts` style): the pure protocol pieces the server and the tests
 * share with the SDK. The server imports SDK code ONLY through this file, so what is exported here
 * is the whole surface the two sides have in common. Not part of the public API.
 */

// CMP frames: model, header byte, binary codec.
export type {
  ConnackFrame,
  ConnectFrame,
  DisconnectFrame,
  Frame,
  FrameFlags,
  FrameKind,
  FrameOrigin,
  PingReqFrame,
  PingRespFrame,
  PubackFrame,
  PublishFrame,
  QueryAckFrame,
  QueryConFrame,
  QueryFrame,
} from './protocol/frame';
export { FrameType } from './protocol/frame';
export { Header, NO_FLAGS, headerByte, headerOf, flagsOf } from './protocol/frame-header';
export { encodeFrame } from './protocol/frame-writer';
export { decodeFrame, FrameReader } from './protocol/frame-reader';
export type { DecodeFrameOptions } from './protocol/frame-reader';
export { ProtocolError } from './protocol/protocol-error';
export type { ProtocolErrorCode } from './protocol/protocol-error';

// Comet: JSON signal objects ↔ frames, upstream POST queries.
export {
  cometDisconnect,
  encodeCometConnectReply,
  encodeCometSignals,
  frameToSignal,
  parseCometBody,
  signalToFrame,
} from './protocol/comet-signal';
export type { CometConnectReply, CometDialect, CometFrame, CometSignal } from './protocol/comet-signal';
export { cometUpstreamFrame, parseCometQuery, parseCometUpstream } from './protocol/comet-upstream';
export type { CometUpstream } from './protocol/comet-upstream';

// Protobuf: codec-neutral helpers over any `X.decode` / `X.encode(…).finish()` object.
export { decodeMessage, encodeMessage } from './protocol/messages';
export type { MessageDecoder, MessageEncoder } from './protocol/messages';

// Message object names and their default flags.
export { builtInPolicy, isReservedObjectName, policyFlags } from './protocol/object-names';
export type { MessagePolicy } from './protocol/object-names';

// Text and binary codecs.
export { decodeUtf8, encodeCesu8, encodeUtf8 } from './codec/utf8';
export { decodeBase64, encodeBase64, encodeBase64Url } from './codec/base64';

// Protobuf schema: schema table, name-based codecs (table codec) and the server's `rc.X` classes.
export { RC_ENUMS, RC_MESSAGES, messageCodec, decodeByName, encodeByName } from './protocol/messages';
export { rc } from './protocol/pbjs-reference';
export type { MessageCodec, MessageInit, MessageOf, RcEnumName, RcField, RcFieldRule, RcMessageName, RcScalar } from './protocol/messages';
export { decodeDelRelationType } from './protocol/relation-tolerant';

// Topic catalogue.
export {
  Topic,
  TOPIC_SCHEMA,
  SEND_TOPIC_CONVERSATION_TYPE,
  STATUS_TOPIC_CONVERSATION_TYPE,
  conversationTypeOfTopic,
  isSendTopic,
  isStatusTopic,
  isTopic,
  sendTopicFor,
} from './protocol/topics';
export type { SendTopic, StatusTopic, TopicFrame, TopicSchema } from './protocol/topics';

// Comet payloads: protobuf bytes ⇄ JSON.
export { cometJsonToPayload, payloadToCometJson } from './protocol/comet-json';
