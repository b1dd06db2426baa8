/**
 * Argument checks for the public API. A wrong argument is reported as `onError(33003)` plus a logged
 * warning naming the argument — never as an exception thrown out of the SDK (API_CHECKLIST
 * "Decisions": an IM SDK must not crash the app on bad input). Rule names follow the official engine:
 * STRING = non-empty string, ONLY_STRING = any string; optional arguments accept undefined/null.
 */
export type Rule = (value: unknown) => boolean;

export const Rules = {
  STRING: (v: unknown): boolean => typeof v === 'string' && v.length > 0,
  ONLY_STRING: (v: unknown): boolean => typeof v === 'string',
  NUMBER: (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v),
  INTEGER: (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v),
  BOOLEAN: (v: unknown): boolean => typeof v === 'boolean',
  OBJECT: (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v),
  ARRAY: (v: unknown): boolean => Array.isArray(v),
  CALLBACK: (v: unknown): boolean => typeof v === 'object' && v !== null,
  FUNCTION: (v: unknown): boolean => typeof v === 'function',
  /** A ConversationType number. */
  CONVERSATION_TYPE: (v: unknown): boolean => typeof v === 'number' && [0, 1, 2, 3, 4, 5, 6, 7, 8, 12].includes(v),
} as const;

export interface Check {
  readonly name: string;
  readonly value: unknown;
  readonly rule: Rule;
  readonly optional?: boolean;
}

export function check(name: string, value: unknown, rule: Rule, optional = false): Check {
  return { name, value, rule, optional };
}

/** The first failing check, or undefined when all pass. */
export function firstInvalid(checks: readonly Check[]): Check | undefined {
  return checks.find((c) => !((c.optional === true && (c.value === undefined || c.value === null)) || c.rule(c.value)));
}

/** JSON-ish rendering of a bad value for the warning (bounded, never throws). */
export function describeValue(value: unknown): string {
  if (typeof value === 'function') return 'function';
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(value);
  }
}

/** The check of a method's `callback` argument (an object with onSuccess/onError), optional or not. */
export function callbackCheck(callback: unknown, optional = false): Check {
  return check('callback', callback, Rules.CALLBACK, optional);
}

