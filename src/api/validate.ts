/**
 * Argument checks for the public API. A wrong argument is reported as `onError(33003)` plus a logged
 * warning naming the argument — never as an exception thrown out of the SDK (API_CHECKLIST
 * "Decisions": an IM SDK must not crash the app on bad input). The rules are in rules.ts;
 * optional arguments accept undefined/null.
 */
import * as Rules from './rules';

export type Rule = (value: unknown) => boolean;

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

