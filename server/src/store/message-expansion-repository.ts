/**
 * Message expansion (issue #7, seed 消息扩展, PROTOCOL.md §9.8): the key/value data of a message sent with
 * `canIncludeExpansion`, kept in the message's stored `extraContent` (`{"key":{"v":"value"},…}`) so that
 * sync, history and the conversation list return the current expansion.
 *
 * Invariants (checked by `message-expansions.contract.ts`):
 * - a merge is atomic: concurrent merges never lose each other's keys;
 * - a message never holds more than `maxKeys` keys: keys added beyond it are dropped (the seed's rule for
 *   concurrent updates), existing keys are always updatable;
 * - the content, flags and everything else of the message are untouched.
 */
import type { AppKey } from './store';

export interface ExpansionChange {
  readonly put?: Readonly<Record<string, string>>;
  readonly del?: readonly string[];
  /** Drops every key first. */
  readonly removeAll?: boolean;
}

export type MergeResult =
  | {
      readonly ok: true;
      /** The expansion after the merge. */
      readonly expansion: Readonly<Record<string, string>>;
      /** Keys of `put` that were applied (in `put` order); the others were dropped by the key limit. */
      readonly accepted: readonly string[];
    }
  | { readonly ok: false; readonly reason: 'not-found' };

export interface MessageExpansionRepository {
  /** Applies removeAll, then del, then put to the stored expansion of message `uid`. */
  merge(appKey: AppKey, uid: string, change: ExpansionChange, maxKeys: number): Promise<MergeResult>;
  /** The stored expansion of a message ({} when none; undefined for an unknown uid). */
  get(appKey: AppKey, uid: string): Promise<Readonly<Record<string, string>> | undefined>;
}

/** A record without a prototype: expansion keys such as `__proto__` are ordinary keys. */
function emptyRecord(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

/** `{"k":{"v":"value"},…}` (also tolerating `{"k":"value"}`) → `{k: value}`; {} when absent or malformed. */
export function parseExpansionJson(text: string | null | undefined): Record<string, string> {
  const out = emptyRecord();
  if (!text) return out;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return out;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    if (typeof entry === 'object' && entry !== null && 'v' in entry) out[key] = String((entry as { v: unknown }).v);
    else if (typeof entry === 'string') out[key] = entry;
  }
  return out;
}

export function formatExpansionJson(expansion: Readonly<Record<string, string>>): string {
  const wire: Record<string, { v: string }> = Object.create(null) as Record<string, { v: string }>;
  for (const [key, value] of Object.entries(expansion)) wire[key] = { v: value };
  return JSON.stringify(wire);
}

/** The merge rule shared by every engine (so they cannot differ): removeAll, del, then put within `maxKeys`. */
export function applyExpansionChange(current: Readonly<Record<string, string>>, change: ExpansionChange, maxKeys: number): { expansion: Record<string, string>; accepted: string[] } {
  const merged = new Map<string, string>(change.removeAll === true ? [] : Object.entries(current));
  for (const key of change.del ?? []) merged.delete(key);
  const accepted: string[] = [];
  for (const [key, value] of Object.entries(change.put ?? {})) {
    if (!merged.has(key) && merged.size >= maxKeys) continue;
    merged.set(key, value);
    accepted.push(key);
  }
  const expansion = emptyRecord();
  for (const [key, value] of merged) expansion[key] = value;
  return { expansion, accepted };
}
