/**
 * The fuzz run's inputs and bookkeeping (scripts/fuzz-core.ts): the seeded generator (test/support/seeded.ts, so
 * a seed replays the same inputs), the mutation operators, the topic / Server API vocabularies and
 * the counters every worker writes to. Inputs are counted per family (the four kinds of checks) and
 * per target (what was fuzzed: CMP payloads per topic, raw CMP frames, comet bodies, navi/ping
 * queries, Server API requests).
 */
import { encodeByName } from '../src/internal';
import { ErrorCode } from '../src/errors';
import type { ServerApiClient } from '../test/support/server-api-client';
import { seeded } from '../test/support/seeded';

export interface FuzzUser {
  readonly userId: string;
  readonly token: string;
}

export interface FuzzOptions {
  readonly url: string;
  readonly appKey: string;
  readonly api: ServerApiClient;
  /**
   * Fuzzing WebSocket connections, one per user (each reconnects after the server closes it): the
   * first half send well-formed frames with fuzzed payloads (every answerable one must be answered),
   * the second half mutated and random frames (which may close their connection).
   */
  readonly users: readonly FuzzUser[];
  /** Raw WebSocket connections writing broken framing (scripts/fuzz-wire.ts), one per user; none when not given. */
  readonly wireUsers?: readonly FuzzUser[];
  /** Comet sessions fuzzed (default: the first two `users`, whose WebSocket sessions they may then replace). */
  readonly cometUsers?: readonly FuzzUser[];
  readonly canarySender: FuzzUser;
  readonly canaryReceiver: FuzzUser;
  readonly durationMs: number;
  /** Stop once this many inputs were sent (default: no limit, only the duration bounds the run). */
  readonly maxInputs?: number;
  readonly seed: number;
  /** Whether the server process is still running (checked at the end and when a request fails). */
  readonly alive: () => boolean;
  readonly log?: (line: string) => void;
}

export type FuzzFamily = 'payload' | 'frame' | 'wire' | 'comet' | 'http';
export type FuzzTarget = 'cmp-payload' | 'cmp-frame' | 'ws-frame' | 'comet' | 'navi-ping' | 'server-api';

export const HANG_MS = 15_000;
export const WINDOW = 64;
export const ALLOWED_CLOSE = new Set([1000, 1002, 1003, 1008]);
export const DOCUMENTED = new Set<number>([0, ...Object.values(ErrorCode).filter((v): v is number => typeof v === 'number')]);
export const TOPICS = [
  'ppMsgP', 'pgMsgP', 'chatMsg', 'ppMsgS', 'pgMsgS', 'chatMsgS', 'pcMsgP', 'recallMsg', 'pullMsg', 'qryHisMsg', 'qryCHMsg', 'qryGMsg',
  'qryRelationR', 'qryRelation', 'delRelation', 'delMsg', 'cleanPMsg', 'cleanGMsg', 'joinChrm', 'joinChrmR', 'exitChrm', 'chrmPull',
  'queryChrmI', 'setKV', 'delKV', 'pullKV', 'pullUS', 'pullSeAtts', 'reportsdk', 'qnTkn', 'qnUrl', 'rrMsg', 'rrList', 'setSeAtt',
  'updRTime', 'pullSe', 'addBlack', 'rmBlack', 'qryBlack', 'blackStat', 'addTag', 'delTag', 'pullTag', 'addConvTag', 'setMsgEx',
  'pullMsgEx', 'noSuchTopic', '', 'x'.repeat(300),
];
export const API_PATHS = [
  'user/getToken', 'user/info', 'user/refresh', 'user/block', 'user/unblock', 'user/block/query', 'user/checkOnline', 'user/tag/set',
  'message/private/publish', 'message/group/publish', 'message/system/publish', 'message/chatroom/publish', 'message/recall',
  'message/private/publish_template', 'statusmessage/private/publish', 'group/create', 'group/join', 'group/quit', 'group/dismiss',
  'group/user/query', 'group/user/gag/add', 'group/ban/add', 'chatroom/create', 'chatroom/destroy', 'chatroom/query', 'chatroom/user/query',
  'chatroom/entry/set', 'chatroom/user/gag/add', 'conversation/notification/set', 'conversation/top/set', 'message/history', 'no/such/endpoint',
];
export const FORM_KEYS = ['userId', 'name', 'portraitUri', 'fromUserId', 'toUserId', 'objectName', 'content', 'groupId', 'groupName', 'chatroomId', 'minute', 'messageUID', 'sentTime', 'conversationType', 'targetId', 'isMuted', 'date', 'key', 'value', 'count'];

function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export class Fuzzer {
  readonly rand: () => number;
  inputs = 0;
  readonly byFamily: Record<string, number> = {};
  readonly byTarget: Record<string, number> = {};
  /** `cmp-payload` inputs by topic (the 300-character made-up topic as `x×300`). */
  readonly byTopic: Record<string, number> = {};
  /** Answerable payload inputs whose answer was checked / that a server close left unanswered. */
  answered = 0;
  unansweredAtClose = 0;
  /** Set again by runFuzz when the fuzzing starts (after the canary's stored messages). */
  deadline: number;
  readonly maxInputs: number;
  violations = 0;
  readonly firstViolations: string[] = [];
  hangs = 0;
  readonly closeCodes: Record<string, number> = {};
  readonly statuses: Record<string, number> = {};
  readonly httpStatuses: Record<string, number> = {};
  readonly corpus: Uint8Array[];
  /** Aborted at the deadline: requests still held then (comet holds, relays) are dropped, not failures. */
  readonly stop = new AbortController();

  constructor(seed: number, readonly options: FuzzOptions) {
    this.rand = seeded(seed);
    this.deadline = Date.now() + options.durationMs;
    this.maxInputs = options.maxInputs ?? Number.POSITIVE_INFINITY;
    const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
    this.corpus = [
      encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content: utf8('{"content":"hi"}'), configFlag: 0 }),
      encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 }),
      encodeByName('HistoryMessageInput', { targetId: 'someone', dataTime: 0, size: 20 }),
      encodeByName('ChannelInvitationInput', { users: ['a', 'b'] }),
      encodeByName('RelationQryInput', { type: 1, count: 100 }),
      new Uint8Array(0),
    ];
  }

  int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** Whether workers go on: before the deadline and below the input budget. */
  running(): boolean {
    if (this.stop.signal.aborted) return false;
    if (Date.now() < this.deadline && this.inputs < this.maxInputs) return true;
    this.stop.abort();
    return false;
  }

  count(family: FuzzFamily, target: FuzzTarget, topic?: string): void {
    this.inputs++;
    this.byFamily[family] = (this.byFamily[family] ?? 0) + 1;
    this.byTarget[target] = (this.byTarget[target] ?? 0) + 1;
    if (topic !== undefined) {
      const key = topic.length > 40 ? `x×${topic.length}` : topic === '' ? '(empty)' : topic;
      this.byTopic[key] = (this.byTopic[key] ?? 0) + 1;
    }
  }

  violation(text: string): void {
    this.violations++;
    if (this.firstViolations.length < 50) this.firstViolations.push(text);
  }

  bytes(max: number): Uint8Array {
    const out = new Uint8Array(this.int(max + 1));
    for (let i = 0; i < out.length; i++) out[i] = this.int(256);
    return out;
  }

  /** Bit flips, byte replacements, insertions, deletions, truncation, duplication of a slice. */
  mutate(input: Uint8Array): Uint8Array {
    let out: Uint8Array = Uint8Array.from(input);
    const rounds = 1 + this.int(4);
    for (let r = 0; r < rounds; r++) {
      const at = out.length === 0 ? 0 : this.int(out.length);
      switch (this.int(6)) {
        case 0:
          if (out.length > 0) out[at] = (out[at] as number) ^ (1 << this.int(8));
          break;
        case 1:
          if (out.length > 0) out[at] = this.pick([0, 0xff, 0x7f, 0x80, this.int(256)]);
          break;
        case 2: {
          out = concat(out.subarray(0, at), this.bytes(8), out.subarray(at));
          break;
        }
        case 3:
          out = concat(out.subarray(0, at), out.subarray(Math.min(out.length, at + 1 + this.int(4))));
          break;
        case 4:
          out = out.subarray(0, at);
          break;
        default:
          out = concat(out, out.subarray(at, at + 1 + this.int(16)));
      }
    }
    return out;
  }

  payload(): Uint8Array {
    const roll = this.int(10);
    if (roll < 6) return this.mutate(this.pick(this.corpus));
    if (roll < 9) return this.bytes(64);
    return this.bytes(4096);
  }

  text(): string {
    const pool = ['', '0', '-1', 'null', 'undefined', '%', '%zz', '\u0000', 'é', '😀', 'a'.repeat(200), '{"a":', '[]', '{}', '<script>', '../..', ' ', 'true'];
    if (this.int(3) === 0) return this.pick(pool);
    return Array.from({ length: this.int(12) }, () => String.fromCharCode(32 + this.int(95))).join('');
  }

  targetId(): string {
    return this.int(4) === 0 ? this.pick(this.options.users).userId : this.text();
  }
}

/** A request that failed at the transport level (module-local class: jest realms break `instanceof Error`). */
export class Failure {
  constructor(readonly message: string) {}
}

export function failure(error: unknown): Failure {
  return new Failure(typeof error === 'object' && error !== null && 'message' in error ? String((error as { message: unknown }).message) : String(error));
}

