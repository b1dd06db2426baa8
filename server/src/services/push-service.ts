/**
 * `push` (SERVER_API.md §2.5; RongCloud's 广播推送: 标签用户通知 / 全量用户通知 / 不落地通知). This server has no
 * vendor push gateway (APNs, FCM, Huawei, Xiaomi, …), so of a push it does what can be done in-app:
 * - with a `message`: one SYSTEM (6) message from `fromuserid`, stored once with an inbox entry per audience
 *   member (like `message/broadcast`): online users get it at once (`s_ntf` → `pullMsg`), offline ones at their
 *   next sync. `notification.alert` is kept as its push content;
 * - without a `message` (a notification-only push, 不落地通知): nothing reaches any client — such a push exists
 *   only as a device notification, which needs a vendor gateway.
 * Every accepted push is recorded (push-repository.ts) with what was asked and how many users the message reached.
 *
 * Audience, as RongCloud documents it: `is_to_all` = every registered user (the rest ignored); else `userid`
 * (if given, tags are ignored); else `tag` (all of them) and `tag_or` (at least one). `packageName` narrows to
 * installs of one app package, which this server cannot know, so an audience narrowed by it gets no in-app
 * message (safer than reaching users of another package). `platform` does not narrow the in-app part: every
 * connected client, web included, receives the message.
 */
import type { ServerContext } from '../context';
import type { MessagingService } from './messaging';
import { builtInPolicy, newMessageUidFor } from './wire';

export interface PushAudience {
  readonly toAll: boolean;
  readonly userIds: readonly string[];
  readonly allOf: readonly string[];
  readonly anyOf: readonly string[];
  readonly packageName?: string;
}

export interface PushMessagePart {
  readonly objectName: string;
  /** UTF-8 JSON text. */
  readonly content: Uint8Array;
}

export interface PushRequest {
  readonly appKey: string;
  /** Required with a message. */
  readonly fromUserId?: string;
  readonly platforms: readonly string[];
  readonly audience: PushAudience;
  /** The request's `audience` and `notification` objects as sent, for the record. */
  readonly audienceJson: string;
  readonly notificationJson: string;
  /** `notification.alert`: the push text stored with the message. */
  readonly alert: string;
  readonly message?: PushMessagePart;
}

export interface PushOutcome {
  /** The record's id: the message uid when a message was sent. */
  readonly id: string;
  readonly recipientCount: number;
}

const PAGE = 5000;
const PERSISTED = 1;
const COUNTED = 2;
const SYSTEM = 6;

export class PushService {
  constructor(
    private readonly ctx: ServerContext,
    private readonly messaging: MessagingService,
  ) {}

  /** The users the in-app part goes to, ascending and without duplicates. */
  async recipients(appKey: string, audience: PushAudience): Promise<string[]> {
    if (audience.toAll) return this.collect((after) => this.ctx.store.userLists.registered(appKey, after, PAGE));
    if (audience.userIds.length > 0) return [...new Set(audience.userIds)].sort();
    if (audience.packageName !== undefined && audience.packageName !== '') return [];
    const tags = { allOf: audience.allOf, anyOf: audience.anyOf };
    return this.collect((after) => this.ctx.store.userTags.matching(appKey, tags, after, PAGE));
  }

  async push(request: PushRequest): Promise<PushOutcome> {
    const now = this.ctx.clock.now();
    let id = newMessageUidFor(now);
    let recipientCount = 0;
    const { message, fromUserId } = request;
    if (message !== undefined && fromUserId !== undefined) {
      const recipients = (await this.recipients(request.appKey, request.audience)).filter((userId) => userId !== fromUserId);
      if (recipients.length > 0) {
        const policy = builtInPolicy(message.objectName);
        const persisted = policy ? policy.persisted : true;
        const counted = policy ? policy.counted : true;
        const result = await this.messaging.send({
          appKey: request.appKey,
          fromUserId,
          conversationType: SYSTEM,
          targetId: fromUserId,
          objectName: message.objectName,
          content: message.content,
          flags: (persisted ? PERSISTED : 0) | (persisted && counted ? COUNTED : 0),
          ...(request.alert !== '' ? { pushContent: request.alert } : {}),
          recipients,
          senderSendbox: false,
        });
        id = result.messageUId;
        recipientCount = recipients.length;
      }
    }
    await this.ctx.store.pushes.add({
      appKey: request.appKey,
      id,
      createdTime: now,
      fromUserId: message !== undefined ? fromUserId ?? '' : '',
      platforms: request.platforms,
      audience: request.audienceJson,
      notification: request.notificationJson,
      ...(message !== undefined ? { objectName: message.objectName } : {}),
      recipientCount,
    });
    return { id, recipientCount };
  }

  private async collect(page: (after: string) => Promise<readonly string[]>): Promise<string[]> {
    const out: string[] = [];
    for (let after = ''; ;) {
      const ids = await page(after);
      out.push(...ids);
      const last = ids[ids.length - 1];
      if (last === undefined || ids.length < PAGE) return out;
      after = last;
    }
  }
}
