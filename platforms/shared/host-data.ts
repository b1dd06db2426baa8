/**
 * Conversions between the SDK's Uint8Array and what mini-program hosts pass around: ArrayBuffer
 * (wx/tt/swan/uni frames and responses), base64 strings (Alipay `isBuffer` frames, `dataType:
 * 'base64'` data URIs) and text. ArrayBuffers are recognised by their tag, not `instanceof`: a
 * host bridge (and a Node vm context) may hand over buffers from another realm.
 */
import { decodeBase64, encodeBase64 } from '../../src/codec/base64';
import { decodeUtf8, encodeUtf8 } from '../../src/codec/utf8';

export function isArrayBuffer(value: unknown): value is ArrayBuffer {
  return Object.prototype.toString.call(value) === '[object ArrayBuffer]';
}

/** An ArrayBuffer holding exactly `bytes` (a view's buffer may be larger than the view). */
export function exactArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && isArrayBuffer(bytes.buffer)) return bytes.buffer;
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

/** `data:<type>;base64,<payload>` or bare base64 → bytes; undefined when it is not base64. */
export function bytesFromBase64(text: string): Uint8Array | undefined {
  const comma = text.startsWith('data:') ? text.indexOf(',') : -1;
  try {
    return decodeBase64(comma >= 0 ? text.slice(comma + 1) : text);
  } catch {
    return undefined;
  }
}

export function base64FromBytes(bytes: Uint8Array): string {
  return encodeBase64(bytes);
}

/**
 * Bytes of a received frame or response body. Text (a text frame, a host that ignored
 * `responseType`) becomes its UTF-8 bytes; `isBuffer` marks base64 text (Alipay).
 */
export function bytesOf(data: unknown, isBuffer = false): Uint8Array | undefined {
  if (isArrayBuffer(data)) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === 'string') return isBuffer ? bytesFromBase64(data) : encodeUtf8(data);
  return undefined;
}

/** Text of a response body: hosts may hand back a string, an ArrayBuffer or (JSON-parsed) an object. */
export function textOf(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data === undefined || data === null) return '';
  const bytes = bytesOf(data);
  if (bytes !== undefined) return decodeUtf8(bytes);
  return JSON.stringify(data);
}

/** Lower-case header names; array values joined as HTTP does. */
export function lowerCaseHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === null || typeof headers !== 'object') return out;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.map(String).join(', ') : String(value);
  }
  return out;
}
