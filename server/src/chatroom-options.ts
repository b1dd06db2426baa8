/**
 * Per-app chatroom settings (`--app KEY:SECRET:chrmMulti=1,chrmKickOfflineMs=300,…`). Every timing the seed
 * states (30 s / 30 messages auto-kick, 1 h idle destroy, 40 messages per 200 ms intake) is configurable so
 * tests can run the rules in milliseconds. Kept out of config.ts's defaults object: an app that sets none
 * of them has `chatroom` absent and gets DEFAULT_CHATROOM_OPTIONS.
 */

export interface ChatroomOptions {
  /** navi `joinMChrm`: a user may be in several rooms; otherwise joining one leaves the others. */
  readonly multiRoom: boolean;
  /** Members per room; 0 = unlimited (23411 beyond it). */
  readonly maxMembers: number;
  /** `joinChrm` creates a missing room (`joinChrmR` never does). */
  readonly autoCreate: boolean;
  /** A member offline this long when a message arrives is removed. */
  readonly kickOfflineMs: number;
  /** A member offline while this many messages arrive is removed. */
  readonly kickMissedMessages: number;
  /** A room without message or join for this long is destroyed (keepalive rooms exempt). */
  readonly idleDestroyMs: number;
  /** The length of one `destroyTime` minute of a timed room (`chatroom/create_new` destroyType 1); tests shorten it. */
  readonly destroyMinuteMs: number;
  /** navi `kvStorage`: KV attributes enabled (23426 otherwise). */
  readonly kvEnabled: boolean;
  readonly maxKeys: number;
  /** Client KV changes per room and second, each key of a batch counting (23425 beyond it); 0 = no limit. */
  readonly kvChangesPerSecond: number;
  /** `RC:ChrmMemChange` to the room when members join or quit. */
  readonly memberNotify: boolean;
  /** Cloud history (`qryCHMsg`); 23414 when off. */
  readonly historyEnabled: boolean;
  readonly historyRetentionDays: number;
  /** Drop policy intake per window: `quotaHigh` reserved for high priority plus `quotaShared` for all. */
  readonly quotaWindowMs: number;
  readonly quotaHigh: number;
  readonly quotaShared: number;
}

export const DEFAULT_CHATROOM_OPTIONS: ChatroomOptions = {
  multiRoom: false,
  maxMembers: 0,
  autoCreate: true,
  kickOfflineMs: 30_000,
  kickMissedMessages: 30,
  idleDestroyMs: 3_600_000,
  destroyMinuteMs: 60_000,
  kvEnabled: true,
  maxKeys: 100,
  kvChangesPerSecond: 100,
  memberNotify: false,
  historyEnabled: true,
  historyRetentionDays: 60,
  quotaWindowMs: 200,
  quotaHigh: 20,
  quotaShared: 20,
};

type Kind = 'boolean' | 'integer';
const DAY_MS = 86_400_000;

/** Option name → field, value kind, integer range. Several names are accepted for the navi-named ones. */
const FIELDS: Readonly<Record<string, { readonly field: keyof ChatroomOptions; readonly kind: Kind; readonly min?: number; readonly max?: number }>> = {
  chrmMulti: { field: 'multiRoom', kind: 'boolean' },
  joinMChrm: { field: 'multiRoom', kind: 'boolean' },
  chrmMaxMembers: { field: 'maxMembers', kind: 'integer', min: 0, max: 100_000_000 },
  chrmAutoCreate: { field: 'autoCreate', kind: 'boolean' },
  chrmKickOfflineMs: { field: 'kickOfflineMs', kind: 'integer', min: 1, max: 365 * DAY_MS },
  chrmKickMissed: { field: 'kickMissedMessages', kind: 'integer', min: 1, max: 1_000_000 },
  chrmIdleDestroyMs: { field: 'idleDestroyMs', kind: 'integer', min: 1, max: 3650 * DAY_MS },
  chrmDestroyMinuteMs: { field: 'destroyMinuteMs', kind: 'integer', min: 1, max: 60_000 },
  chrmKv: { field: 'kvEnabled', kind: 'boolean' },
  kvStorage: { field: 'kvEnabled', kind: 'boolean' },
  chrmMaxKeys: { field: 'maxKeys', kind: 'integer', min: 1, max: 10_000 },
  chrmKvRate: { field: 'kvChangesPerSecond', kind: 'integer', min: 0, max: 1_000_000 },
  chrmMemberNotify: { field: 'memberNotify', kind: 'boolean' },
  chrmHistory: { field: 'historyEnabled', kind: 'boolean' },
  chrmHistoryDays: { field: 'historyRetentionDays', kind: 'integer', min: 1, max: 3650 },
  chrmQuotaWindowMs: { field: 'quotaWindowMs', kind: 'integer', min: 1, max: 3_600_000 },
  chrmQuotaHigh: { field: 'quotaHigh', kind: 'integer', min: 0, max: 1_000_000 },
  chrmQuotaShared: { field: 'quotaShared', kind: 'integer', min: 0, max: 1_000_000 },
};

export const CHATROOM_OPTION_NAMES: readonly string[] = Object.keys(FIELDS);

/**
 * Parses one `name=value` option. Returns undefined when `name` is not a chatroom option, an error
 * message when the value is invalid, else the one-field change.
 */
export function parseChatroomOption(name: string, value: string): Partial<ChatroomOptions> | string | undefined {
  const spec = FIELDS[name];
  if (spec === undefined) return undefined;
  const text = value.trim().toLowerCase();
  if (spec.kind === 'boolean') {
    if (['1', 'true', 'yes', 'on'].includes(text)) return { [spec.field]: true };
    if (['0', 'false', 'no', 'off'].includes(text)) return { [spec.field]: false };
    return `"${value}" is not a boolean (1/0/true/false)`;
  }
  if (!/^\d+$/.test(text)) return `"${value}" is not a non-negative integer`;
  const number = Number(text);
  if (!Number.isSafeInteger(number) || number < (spec.min ?? 0) || number > (spec.max ?? Number.MAX_SAFE_INTEGER)) {
    return `${value} is out of range ${spec.min ?? 0}..${spec.max ?? Number.MAX_SAFE_INTEGER}`;
  }
  return { [spec.field]: number };
}

/** The effective options of an app. */
export function chatroomOptionsOf(app: { readonly chatroom?: Partial<ChatroomOptions> } | undefined): ChatroomOptions {
  return { ...DEFAULT_CHATROOM_OPTIONS, ...app?.chatroom };
}
