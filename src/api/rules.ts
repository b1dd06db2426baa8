/**
 * The argument rules of the public API, imported as the `Rules` namespace (validate.ts). Rule names follow
 * the official engine: STRING = non-empty string, ONLY_STRING = any string. Separate bindings rather than
 * the properties of one object: a bundler resolves `Rules.STRING` to the binding itself and the minifier
 * shortens its name, where an object's property names stay spelt out at each of the facade's ~70 reads.
 */
export const STRING = (v: unknown): boolean => typeof v === 'string' && v.length > 0;
export const ONLY_STRING = (v: unknown): boolean => typeof v === 'string';
export const NUMBER = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
export const INTEGER = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v);
export const BOOLEAN = (v: unknown): boolean => typeof v === 'boolean';
export const OBJECT = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);
export const CALLBACK = (v: unknown): boolean => typeof v === 'object' && v !== null;
/** A ConversationType number. */
export const CONVERSATION_TYPE = (v: unknown): boolean => typeof v === 'number' && [0, 1, 2, 3, 4, 5, 6, 7, 8, 12].includes(v);
