/**
 * Sending and recalling. A send resolves with the sent message (server uid + time) or with the code
 * and the failed message (`sentStatus` FAILED, uid ''), as `sendMessage`'s onError(code, message)
 * needs. A successful send's uid is marked seen so the sendbox copy a later pull brings back is not
 * delivered to this device's listener (seed 2.9.2 / 5.7.4 "no self echo").
 */
import { encodeByName } from '../../protocol/messages';
import type { rc } from '../../protocol/messages';
import { encodeUtf8 } from '../../codec/utf8';
import { errorCodeOf, ErrorCode, SdkError } from '../../errors';
import type { ServiceEngine } from './engine-port';
import type { ImMessage } from './im-message';
import { Direction, UpFlag } from './im-message';
import { buildOutgoing, jsonOf, pushExtra } from './outgoing';
import { checkMediaLimits } from './media-limits';
import type { OutgoingInput, PushConfigInput } from './outgoing';
import { rememberLatest } from './receive-pipeline';
import type { UserSession } from './user-session';

export type SendOutcome =
  | { readonly ok: true; readonly message: ImMessage }
  | { readonly ok: false; readonly code: number; readonly message: ImMessage; readonly refusedUId?: string };

export interface RecallTarget {
  readonly conversationType: number;
  readonly targetId: string;
  readonly messageUId: string;
  readonly sentTime: number;
}

export interface RecallOptions {
  readonly disableNotification?: boolean;
  readonly pushConfig?: PushConfigInput;
  readonly user?: unknown;
  readonly extra?: unknown;
}

/** What a send puts in the message before the server has it: no uid, the local time, the flags asked for. */
export function unsentMessage(
  input: Pick<OutgoingInput, 'conversationType' | 'targetId' | 'objectName' | 'content' | 'options'>,
  me: string,
  now: number,
  flags = 0,
  status = false,
): ImMessage {
  const content = input.content;
  return {
    conversationType: input.conversationType,
    targetId: input.targetId,
    senderUserId: me,
    objectName: input.objectName,
    content,
    // Never throws: a failed send's message is built from content that may not serialise.
    contentText: jsonOf(content) ?? '',
    messageUId: '',
    sentTime: now,
    direction: Direction.Send,
    offline: false,
    persisted: (flags & UpFlag.Persisted) !== 0,
    counted: (flags & UpFlag.Counted) !== 0,
    status,
    mentioned: (flags & UpFlag.Mentioned) !== 0,
    retrieved: false,
    local: true,
    disableNotification: (flags & UpFlag.DisableNotification) !== 0,
    canIncludeExpansion: (flags & UpFlag.CanIncludeExpansion) !== 0,
    expansion: input.options?.canIncludeExpansion === true && input.options.expansion ? { ...input.options.expansion } : null,
  };
}

export class SendService {
  constructor(
    private readonly engine: ServiceEngine,
    private readonly now: () => number,
  ) {}

  async send(session: UserSession, input: OutgoingInput): Promise<SendOutcome> {
    const me = session.userId;
    const draft = (content: Record<string, unknown>, flags: number, status: boolean): ImMessage =>
      unsentMessage({ ...input, content }, me, this.now(), flags, status);

    let outgoing;
    try {
      checkMediaLimits(input.objectName, input.content, this.engine.navi);
      outgoing = buildOutgoing(input, me);
    } catch (error) {
      return { ok: false, code: errorCodeOf(error), message: draft(input.content, 0, false) };
    }
    const pending = draft(outgoing.content, outgoing.flags, outgoing.status);
    // A sent message carries the app's push config back (2.9.2); a failed one does not.
    const push = input.options?.pushConfig ? { ownPushConfig: { ...input.options.pushConfig } } : {};
    try {
      const payload = encodeByName('UpStreamMessage', outgoing.upstream);
      const ack = await this.engine.publish(outgoing.topic, input.targetId, payload, { qos: 1, statusMessage: outgoing.statusMessage });
      if (outgoing.statusMessage) return { ok: true, message: { ...pending, ...push, sentTime: 0 } };
      // A failed message has no uid (API_CHECKLIST §3.6). A refusal may still carry the uid the server gave
      // the refused message: setMessageBlockedListener reports a blocked (21501) message by it.
      if (ack.status !== 0) return { ok: false, code: ack.status, message: pending, refusedUId: ack.messageUId };
      const sent: ImMessage = { ...pending, ...push, messageUId: ack.messageUId, sentTime: ack.sentTime };
      session.markSeen(ack.messageUId);
      rememberLatest(session, sent);
      return { ok: true, message: sent };
    } catch (error) {
      return { ok: false, code: errorCodeOf(error, ErrorCode.RC_MSG_SEND_FAIL), message: pending };
    }
  }

  /**
   * Recall (PROTOCOL.md §9.9): `recallMsg` to our own id carrying `RC:RcCmd` with the original
   * conversation inside. Resolves with the command message as the app receives it.
   */
  async recall(session: UserSession, target: RecallTarget, options: RecallOptions = {}): Promise<ImMessage> {
    const me = session.userId;
    const content: Record<string, unknown> = {
      conversationType: target.conversationType,
      targetId: target.targetId,
      messageUId: target.messageUId,
      sentTime: target.sentTime,
    };
    if (options.user !== undefined) content['user'] = options.user;
    if (options.extra !== undefined) content['extra'] = options.extra;
    const contentText = JSON.stringify(content);
    // E4 sends recalls with no storage bits (the server files the command itself), §9.2.
    const upstream: rc.IUpStreamMessage = {
      sessionId: options.disableNotification === true ? UpFlag.DisableNotification : 0,
      classname: 'RC:RcCmd',
      content: encodeUtf8(contentText),
      configFlag: 0,
    };
    if (options.pushConfig) {
      upstream.pushExt = pushExtra(options.pushConfig);
      if (options.pushConfig.pushContent) upstream.pushText = options.pushConfig.pushContent;
      if (options.pushConfig.pushData) upstream.appData = options.pushConfig.pushData;
    }
    const payload = encodeByName('UpStreamMessage', upstream);
    const ack = await this.engine.publish('recallMsg', me, payload, { qos: 1 });
    if (ack.status !== 0) throw new SdkError(ack.status);
    const command: ImMessage = {
      conversationType: target.conversationType,
      targetId: target.targetId,
      senderUserId: me,
      objectName: 'RC:RcCmd',
      content,
      contentText,
      messageUId: ack.messageUId,
      sentTime: ack.sentTime,
      direction: Direction.Send,
      offline: false,
      persisted: true,
      counted: false,
      status: false,
      mentioned: false,
      retrieved: false,
      local: true,
      disableNotification: options.disableNotification === true,
      canIncludeExpansion: false,
      expansion: null,
      ...(options.pushConfig ? { ownPushConfig: { ...options.pushConfig } } : {}),
    };
    // The server files the command in the conversation and syncs it to our sendbox: not for us again.
    session.markSeen(ack.messageUId);
    rememberLatest(session, command);
    return command;
  }
}
