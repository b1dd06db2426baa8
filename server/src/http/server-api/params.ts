/**
 * Server API request bodies (SERVER_API.md §1.3): form-encoded with repeated keys for arrays (the
 * default for every SDK), or JSON for a few endpoints. `parseServerApiBody` turns either into a plain
 * object; `Params` reads typed, validated values from it and throws 1002 errors naming the field.
 */
import { apiError, ServerApiErrors } from '../../errors';
import { normalizeText, TextTooDeepError } from '../../text-values';

/** Null-prototype object: `__proto__` or `constructor` in a form body are ordinary keys. */
export type FormBody = Record<string, string | string[]>;

export function parseForm(text: string): FormBody {
  const form: FormBody = Object.create(null) as FormBody;
  for (const [key, value] of new URLSearchParams(text)) {
    const existing = form[key];
    if (existing === undefined) form[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else form[key] = [existing, value];
  }
  return form;
}

/**
 * Chooses the parser by content type and falls back to JSON when the body starts with `{` or `[`
 * (some SDKs send JSON with a form content type). Empty bodies become `{}`.
 */
export function parseServerApiBody(contentType: string | undefined, text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return Object.create(null) as FormBody;
  const isJson = (contentType ?? '').toLowerCase().includes('json') || trimmed.startsWith('{') || trimmed.startsWith('[');
  if (!isJson) return parseForm(text);
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    throw apiError(ServerApiErrors.badParameter, 'request body is not valid JSON');
  }
}

export interface StringRule {
  /** Maximum length in characters (code points). */
  readonly maxLength?: number;
  /** Maximum length in UTF-8 bytes. */
  readonly maxBytes?: number;
  readonly pattern?: RegExp;
  /** Reject "" (default: allowed unless the value is required). */
  readonly nonEmpty?: boolean;
}

export interface ListRule extends StringRule {
  readonly maxItems?: number;
}

function scalarToString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export class Params {
  private readonly record: Readonly<Record<string, unknown>>;
  /** Set once the handler's check phase is over (index.ts ServerApiHandler): the endpoint, for the error. */
  private sealedFor: string | undefined;

  /**
   * Every string of the body (nested JSON values and form keys included) is made well-formed (lone surrogates →
   * U+FFFD) and a raw U+0000 in any of them is refused with 1002 naming the parameter (text-values.ts): the same
   * answer on SQLite and on PostgreSQL, whose TEXT refuses the 0x00 byte. A JSON text inside a parameter
   * (`content`, `extraContent`, …) keeps its `\u0000` escapes: they are not a raw U+0000.
   */
  constructor(body: unknown) {
    this.record = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    refuseNul(normalizeChecked(this.record, '', () => undefined));
  }

  /**
   * Ends the check phase: from now on every read throws (a programming error, HTTP 500). Parameters are read
   * and checked before the rate limit is charged, never after.
   */
  seal(endpoint: string): void {
    this.sealedFor = endpoint;
  }

  private open(): void {
    if (this.sealedFor !== undefined) {
      throw new Error(`Server API handler ${this.sealedFor} read a parameter after its check phase: read every parameter before returning its run function`);
    }
  }

  /** The raw body (JSON endpoints read nested values from it). */
  get raw(): Readonly<Record<string, unknown>> {
    this.open();
    return this.record;
  }

  has(name: string): boolean {
    this.open();
    return Object.prototype.hasOwnProperty.call(this.record, name) && this.record[name] !== undefined && this.record[name] !== null;
  }

  /** First value of `name` (form bodies may repeat a key), or undefined when absent. */
  optionalString(name: string, rule: StringRule = {}): string | undefined {
    if (!this.has(name)) return undefined;
    const value = this.record[name];
    const first = scalarToString(Array.isArray(value) ? value[0] : value);
    if (first === undefined) throw invalid(name);
    checkString(name, first, rule);
    return first;
  }

  requiredString(name: string, rule: StringRule = {}): string {
    const value = this.optionalString(name, { ...rule, nonEmpty: true });
    if (value === undefined) throw apiError(ServerApiErrors.badParameter, `${name} is required`);
    return value;
  }

  /** Every value of a repeated key (or a JSON array); [] when absent unless `required`. */
  strings(name: string, rule: ListRule & { readonly required?: boolean } = {}): string[] {
    if (!this.has(name)) {
      if (rule.required === true) throw apiError(ServerApiErrors.badParameter, `${name} is required`);
      return [];
    }
    const value = this.record[name];
    const items = (Array.isArray(value) ? value : [value]).map(scalarToString);
    const out: string[] = [];
    for (const item of items) {
      if (item === undefined) throw invalid(name);
      checkString(name, item, { ...rule, nonEmpty: rule.nonEmpty ?? rule.required ?? false });
      out.push(item);
    }
    if (rule.required === true && out.length === 0) throw apiError(ServerApiErrors.badParameter, `${name} is required`);
    if (rule.maxItems !== undefined && out.length > rule.maxItems) {
      throw apiError(ServerApiErrors.badParameter, `${name} accepts at most ${rule.maxItems} values`);
    }
    return out;
  }

  /**
   * Integer in [min, max]; `fallback` when absent (required when no fallback). With `zeroIsUnset`, 0 is taken as
   * absent too (SERVER_API.md §1.3, be lenient): for paging fields some official SDKs always send, where 0 is how
   * their callers leave it unset (server-sdk-go's `sdk` package sends its int arguments as they are).
   */
  integer(name: string, range: { readonly min?: number; readonly max?: number; readonly fallback?: number; readonly zeroIsUnset?: boolean } = {}): number {
    const text = this.optionalString(name);
    if (text === undefined || text.trim() === '') {
      if (range.fallback !== undefined) return range.fallback;
      throw apiError(ServerApiErrors.badParameter, `${name} is required`);
    }
    if (!/^-?\d+$/.test(text.trim())) throw invalid(name);
    const value = Number(text.trim());
    if (value === 0 && range.zeroIsUnset === true && range.fallback !== undefined) return range.fallback;
    if (!Number.isSafeInteger(value) || (range.min !== undefined && value < range.min) || (range.max !== undefined && value > range.max)) {
      throw invalid(name);
    }
    return value;
  }

  /** Accepts `true`/`false` and `1`/`0` (SDKs send both, SERVER_API.md §1.3). */
  boolean(name: string, fallback: boolean): boolean {
    const text = this.optionalString(name);
    if (text === undefined || text.trim() === '') return fallback;
    const value = text.trim().toLowerCase();
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    throw invalid(name);
  }
}

/** 1002 for a raw U+0000 found at `path` (undefined: none found). */
/** normalizeText, with a value nested too deep refused as a bad parameter (1002) instead of overflowing the stack. */
function normalizeChecked(value: unknown, path: string, set: (next: string) => void): string | undefined {
  try {
    return normalizeText(value, path, set);
  } catch (error) {
    if (error instanceof TextTooDeepError) throw apiError(ServerApiErrors.badParameter, `${path === '' ? 'the body' : path} is ${error.message}`);
    throw error;
  }
}

export function refuseNul(path: string | undefined): void {
  if (path === undefined) return;
  throw apiError(ServerApiErrors.badParameter, `${path.replace(/\u0000/g, '\\u0000')} must not contain U+0000`);
}

/**
 * A value parsed from a parameter's JSON text whose strings are stored one by one (`remarks`, `entryInfo`): made
 * well-formed and refused (1002) when a string holds U+0000, as body strings are (`name` prefixes the path).
 */
export function checkedJsonValue<T>(name: string, value: T): T {
  const holder: { value: unknown } = { value };
  refuseNul(normalizeChecked(holder.value, name, (next) => (holder.value = next)));
  return holder.value as T;
}

function invalid(name: string): Error {
  return apiError(ServerApiErrors.badParameter, `${name} is invalid`);
}

function checkString(name: string, value: string, rule: StringRule): void {
  if (value === '') {
    if (rule.nonEmpty === true) throw apiError(ServerApiErrors.badParameter, `${name} is required`);
    return;
  }
  if (rule.maxLength !== undefined && [...value].length > rule.maxLength) {
    throw apiError(ServerApiErrors.badParameter, `${name} is too long (max ${rule.maxLength} characters)`);
  }
  if (rule.maxBytes !== undefined && Buffer.byteLength(value, 'utf8') > rule.maxBytes) {
    throw apiError(ServerApiErrors.badParameter, `${name} is too long (max ${rule.maxBytes} bytes)`);
  }
  if (rule.pattern !== undefined && !rule.pattern.test(value)) throw invalid(name);
}
