/**
 * Helpers for the SDK API e2e tests: a real server process, real users (tokens from the Server API),
 * and our SDK through its public factory on the Node adapter — or on any other adapter a test file
 * chooses with `useSdkAdapter` (test/e2e/hosts-*.test.ts run this same suite on each host simulator).
 * Each `SdkUser` is one independent RongIMLib instance (its own engine, storage and listeners), like
 * one browser tab.
 */
import { randomBytes } from 'node:crypto';
import { createNodeAdapter } from '../../platforms/node/node-adapter';
import type { KeyValueStorage, PlatformAdapter } from '../../src/platform/platform-adapter';
import { createRongIMLib, LogLevel } from '../../src/index';
import type { IMClient, Message, RongIMClientStatic } from '../../src/index';
import { serverApi } from '../support/server-api-client';
import type { RunningServer, TestApp } from '../support/server-launcher';

const RUN = randomBytes(3).toString('hex');
let counter = 0;

export function newUserId(name: string): string {
  counter += 1;
  return `${name}-${RUN}-${counter}`;
}

export async function tokenFor(server: RunningServer, app: TestApp, userId: string): Promise<string> {
  const response = await serverApi(server.url, app.key, app.secret).post<{ code: number; token: string }>('/user/getToken.json', {
    userId,
    name: userId,
    portraitUri: 'https://example.com/p.png',
  });
  if (response.body.code !== 200) throw new Error(`getToken failed: ${response.text}`);
  return response.body.token;
}

export interface Received {
  readonly message: Message;
  readonly leftCount: number | undefined;
  readonly hasMore: boolean | undefined;
}

export interface SdkUser {
  readonly userId: string;
  readonly token: string;
  readonly client: RongIMClientStatic;
  readonly im: IMClient;
  readonly received: Received[];
  readonly statuses: number[];
  readonly logs: string[];
  offlineFinished: number;
  connect(): Promise<string>;
  /** Resolves with the first received message matching `predicate` (already received ones count). */
  next(predicate: (m: Message) => boolean, timeoutMs?: number): Promise<Message>;
}

export interface SdkUserOptions {
  readonly storage?: KeyValueStorage;
  readonly userId?: string;
  readonly token?: string;
}

/**
 * Builds the adapter of one SdkUser. `storage`, when given, stands for "the same device storage"
 * (a reload keeps it); a host factory maps it to the same simulated device.
 */
export type SdkAdapterFactory = (options: { readonly storage?: KeyValueStorage }) => PlatformAdapter;

let adapterFactory: SdkAdapterFactory = (options) => createNodeAdapter(options.storage ? { storage: options.storage } : {});

/** Makes every later `sdkUser` run on adapters from `factory` (call at a test file's top level). */
export function useSdkAdapter(factory: SdkAdapterFactory): void {
  adapterFactory = factory;
}

export async function sdkUser(server: RunningServer, app: TestApp, name: string, options: SdkUserOptions = {}): Promise<SdkUser> {
  const userId = options.userId ?? newUserId(name);
  const token = options.token ?? (await tokenFor(server, app, userId));
  const { RongIMClient } = createRongIMLib(adapterFactory(options.storage ? { storage: options.storage } : {}));
  const logs: string[] = [];
  RongIMClient.init(app.key, null, { navi: server.url, logLevel: LogLevel.DEBUG, logStdout: (level, content) => logs.push(`${level} ${content}`) });
  const received: Received[] = [];
  const statuses: number[] = [];
  const waiters: Array<{ predicate: (m: Message) => boolean; resolve: (m: Message) => void }> = [];
  const user: SdkUser = {
    userId,
    token,
    client: RongIMClient,
    im: RongIMClient.getInstance(),
    received,
    statuses,
    logs,
    offlineFinished: 0,
    connect: () =>
      new Promise<string>((resolve, reject) => {
        void RongIMClient.connect(token, {
          onSuccess: resolve,
          onTokenIncorrect: () => reject(new Error('token incorrect')),
          onError: (code) => reject(new Error(`connect failed: ${code}`)),
        });
      }),
    next: (predicate, timeoutMs = 10_000) => {
      const found = received.find((r) => predicate(r.message));
      if (found) return Promise.resolve(found.message);
      return new Promise<Message>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no matching message within ${timeoutMs} ms; got ${JSON.stringify(received.map((r) => [r.message.objectName, r.message.content]))}`)), timeoutMs);
        waiters.push({
          predicate,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
  };
  RongIMClient.setOnReceiveMessageListener({
    onReceived: (message, leftCount, hasMore) => {
      received.push({ message, leftCount, hasMore });
      for (const waiter of [...waiters]) {
        if (waiter.predicate(message)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(message);
        }
      }
    },
  });
  RongIMClient.setConnectionStatusListener({ onChanged: (status) => statuses.push(status) });
  RongIMClient.setPullOfflineFinished({ onFinish: () => (user.offlineFinished += 1) });
  return user;
}

export type CallResult<T = unknown> = { ok: true; value: T; args: unknown[] } | { ok: false; code: number; data: unknown };

/** Runs a callback-style method and resolves with what it reported. */
export function call<T = unknown>(invoke: (callback: { onSuccess: (...args: unknown[]) => void; onError: (code: number, data?: unknown) => void }) => void, timeoutMs = 15_000): Promise<CallResult<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('callback not called')), timeoutMs);
    invoke({
      onSuccess: (...args) => {
        clearTimeout(timer);
        resolve({ ok: true, value: args[0] as T, args });
      },
      onError: (code, data) => {
        clearTimeout(timer);
        resolve({ ok: false, code, data });
      },
    });
  });
}

export async function ok<T>(result: Promise<CallResult<T>>, what: string): Promise<T> {
  const r = await result;
  if (!r.ok) throw new Error(`${what} failed with ${r.code}`);
  return r.value;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
