/**
 * The seam every client send passes through between validation and delivery (send-handlers.ts): filters may
 * refuse a message (send bans 20106/22408, blacklist 405, whitelist 407, sensitive words, App Server moderation)
 * or replace its content; observers learn about every message that was accepted (message routing to the App Server).
 *
 * Filters run in ascending `order`, one at a time; the first refusal wins and later filters do not run. A
 * replacement is seen by the filters after it. Conventional orders: 50 send bans and 100 user relations (cheap,
 * local), 200 sensitive words, 300 App Server moderation (remote, slow) — so a message refused locally never costs
 * a callback. A filter that throws refuses the message with `FilterStatus.Failed` (fail closed): a filter that wants
 * to fail open must catch its own errors.
 */
import type { PlatformClass } from '../gateway/topic-router';
import { WireStatus } from './wire-status';

/** PUBACK statuses filters use (API_CHECKLIST §8), beside `WireStatus.RejectedByBlacklist` (405). */
export const FilterStatus = {
  RejectedByBlacklist: WireStatus.RejectedByBlacklist,
  /** 407: the sender is not on the recipient's whitelist (whitelist mode). */
  NotInWhitelist: 407,
  /** SENSITIVE_SHIELD: the message was blocked by content review; the receiver gets nothing. */
  Blocked: 21501,
  /** RC_MSG_SEND_FAIL: the message could not be reviewed (moderation failing closed, a filter error). */
  Failed: 30014,
} as const;

/**
 * The name the sensitive-word filter (issue #7) registers under, with order 200: message routing reports its
 * replacements as `sensitiveType=2`.
 */
export const SENSITIVE_WORD_FILTER_NAME = 'sensitive-words';

/** A client message about to be delivered, as filters and observers see it. */
export interface CandidateMessage {
  readonly appKey: string;
  readonly fromUserId: string;
  readonly conversationType: number;
  /** From the sender's point of view (peer, group, room). */
  readonly targetId: string;
  readonly objectName: string;
  /** UTF-8 JSON text. */
  readonly content: Uint8Array;
  readonly pushContent?: string;
  /** A directed group message's recipients (UpStreamMessage.userId); empty when not directed. */
  readonly directedTo: readonly string[];
  /** Online-only status message (`ppMsgS`, `pgMsgS`, `chatMsgS`): never stored, never routed. */
  readonly status: boolean;
  readonly platform: PlatformClass;
  readonly sessionId: string;
  /** The sender's address as the server saw it (empty when unknown). */
  readonly clientIp?: string;
}

export type FilterVerdict =
  | { readonly action: 'pass' }
  /** Not delivered; `status` goes back to the sender in the PUBACK. */
  | { readonly action: 'reject'; readonly status: number; readonly reason: string }
  /** Delivered with these fields replaced (absent ones unchanged). */
  | { readonly action: 'replace'; readonly content?: Uint8Array; readonly pushContent?: string; readonly reason: string };

export interface MessageFilter {
  /** For logs and for observers (`SentMessage.replacedBy`). */
  readonly name: string;
  readonly order: number;
  check(message: CandidateMessage): FilterVerdict | Promise<FilterVerdict>;
}

export interface SentMessage extends CandidateMessage {
  readonly messageUId: string;
  readonly sentTime: number;
  /** Names of the filters that replaced something (empty when delivered as sent). */
  readonly replacedBy: readonly string[];
}

export type SentMessageObserver = (message: SentMessage) => void;

export type ScreenResult =
  | { readonly ok: true; readonly message: CandidateMessage; readonly replacedBy: readonly string[] }
  | { readonly ok: false; readonly status: number; readonly by: string; readonly reason: string };

export const PASS: FilterVerdict = { action: 'pass' };

const NO_REPLACEMENTS: readonly string[] = Object.freeze([]);

export class MessageFilterChain {
  private filters: readonly MessageFilter[] = [];
  private readonly observers = new Set<SentMessageObserver>();

  constructor(private readonly onError: (error: unknown, context: string) => void = () => undefined) {}

  /** Adds a filter; returns its removal. */
  addFilter(filter: MessageFilter): () => void {
    this.filters = [...this.filters, filter].sort((a, b) => a.order - b.order);
    return () => {
      this.filters = this.filters.filter((f) => f !== filter);
    };
  }

  /** Adds an observer of accepted messages; returns its removal. Observers must not block (they run inline). */
  addObserver(observer: SentMessageObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  get isEmpty(): boolean {
    return this.filters.length === 0 && this.observers.size === 0;
  }

  /** Whether anyone observes accepted messages (a sender may skip building the SentMessage). */
  get hasObservers(): boolean {
    return this.observers.size > 0;
  }

  /**
   * Runs the filters. Synchronous verdicts are taken without a promise; the result is a promise only once a
   * filter returned one (most messages pass every filter from caches, with no allocation but the result).
   */
  screen(candidate: CandidateMessage): ScreenResult | Promise<ScreenResult> {
    let message = candidate;
    let replacedBy = NO_REPLACEMENTS;
    const filters = this.filters;
    for (let i = 0; i < filters.length; i++) {
      const filter = filters[i] as MessageFilter;
      let verdict: FilterVerdict | Promise<FilterVerdict>;
      try {
        verdict = filter.check(message);
      } catch (error) {
        return this.failed(error, filter);
      }
      if (verdict instanceof Promise) return this.screenAsync(filters, i, verdict, message, replacedBy);
      if (verdict.action === 'pass') continue;
      const next = this.apply(filter, verdict, message, replacedBy);
      if ('ok' in next) return next;
      message = next.message;
      replacedBy = next.replacedBy;
    }
    return { ok: true, message, replacedBy };
  }

  /** The rest of `screen` from the first filter that answered with a promise (`filters[at]`). */
  private async screenAsync(filters: readonly MessageFilter[], at: number, first: Promise<FilterVerdict>, candidate: CandidateMessage, replaced: readonly string[]): Promise<ScreenResult> {
    let message = candidate;
    let replacedBy = replaced;
    for (let i = at; i < filters.length; i++) {
      const filter = filters[i] as MessageFilter;
      let verdict: FilterVerdict;
      try {
        verdict = await (i === at ? first : filter.check(message));
      } catch (error) {
        return this.failed(error, filter);
      }
      if (verdict.action === 'pass') continue;
      const next = this.apply(filter, verdict, message, replacedBy);
      if ('ok' in next) return next;
      message = next.message;
      replacedBy = next.replacedBy;
    }
    return { ok: true, message, replacedBy };
  }

  /** A refusal as the result, or the message and replacements the next filter sees. */
  private apply(filter: MessageFilter, verdict: Exclude<FilterVerdict, { readonly action: 'pass' }>, message: CandidateMessage, replacedBy: readonly string[]): ScreenResult | { readonly message: CandidateMessage; readonly replacedBy: readonly string[] } {
    if (verdict.action === 'reject') return { ok: false, status: verdict.status, by: filter.name, reason: verdict.reason };
    return {
      message: {
        ...message,
        ...(verdict.content !== undefined ? { content: verdict.content } : {}),
        ...(verdict.pushContent !== undefined ? { pushContent: verdict.pushContent } : {}),
      },
      replacedBy: [...replacedBy, filter.name],
    };
  }

  private failed(error: unknown, filter: MessageFilter): ScreenResult {
    this.onError(error, `filter ${filter.name}`);
    return { ok: false, status: FilterStatus.Failed, by: filter.name, reason: 'filter failed' };
  }

  sent(message: SentMessage): void {
    for (const observer of this.observers) {
      try {
        observer(message);
      } catch (error) {
        this.onError(error, 'sent-message observer');
      }
    }
  }
}
