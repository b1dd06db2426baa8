/**
 * Small shared pieces of the Server API e2e tests (issue #10): unique ids, connecting a raw client with a token
 * from `user/getToken`, and UpStreamMessage payloads.
 */
import { encodeByName, type PublishFrame } from '../../../src/internal';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import type { ServerApiClient } from '../../../test/support/server-api-client';

let seq = 0;
const stamp = Date.now().toString(36);

export function uniqueId(name: string): string {
  return `${name}${stamp}${(seq++).toString(36)}`;
}

export function utf8(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

export function text(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('utf8');
}

/** A persisted, counted UpStreamMessage (flags 3) unless `flags` says otherwise. */
export function upstream(objectName: string, content: unknown, flags = 3): Uint8Array {
  return encodeByName('UpStreamMessage', { sessionId: flags, classname: objectName, content: utf8(JSON.stringify(content)), configFlag: 0 });
}

export const isPush = (topic: string) => (frame: { kind: string }): boolean => frame.kind === 'publish' && (frame as PublishFrame).topic === topic;

export async function tokenFor(api: ServerApiClient, userId: string): Promise<string> {
  const response = await api.post<{ code: number; token: string }>('user/getToken', { userId, name: userId, portraitUri: 'http://example.com/p.png' });
  if (response.body.code !== 200) throw new Error(`getToken ${userId}: ${response.text}`);
  return response.body.token;
}

/** Connects `userId` (CONNACK status unchecked: the caller asserts it). */
export async function connectUser(url: string, appKey: string, api: ServerApiClient, userId: string, into: RawClient[]): Promise<RawClient> {
  const client = await connectRaw({ url, appKey, token: await tokenFor(api, userId) });
  into.push(client);
  return client;
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
