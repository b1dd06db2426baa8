/**
 * Helpers for the chatroom e2e suites of our SDK: online users with a chatroom status listener, an
 * adapter whose sockets a test can cut (a lost connection, as when a server or network drops it),
 * Server API shortcuts and bounded waiting.
 */
import { createNodeAdapter } from '../../platforms/node/node-adapter';
import { HttpRequestError } from '../../src/platform/http-request-error';
import type { PlatformAdapter, PlatformSocket } from '../../src/platform/platform-adapter';
import { ConversationType, TextMessage } from '../../src/index';
import type { Message } from '../../src/index';
import { serverApi } from '../support/server-api-client';
import type { RunningServer, TestApp } from '../support/server-launcher';
import { call, newUserId, sdkUser, useSdkAdapter } from './sdk-api-support';
import type { CallResult, SdkUser } from './sdk-api-support';

export const CHATROOM = ConversationType.CHATROOM;

/** What `setChatRoomStatusListener` reported, in order. */
export type StatusInfo = Record<string, unknown>;

export interface RoomUser extends SdkUser {
  readonly statusEvents: StatusInfo[];
  /**
   * Closes the user's open sockets: the engine sees a lost connection and reconnects by itself.
   * With `offlineMs`, new sockets and HTTP requests fail for that long (the network is down), so the
   * reconnect waits.
   */
  dropConnection(offlineMs?: number): void;
}

interface SocketControl {
  readonly open: Set<PlatformSocket>;
  offlineUntil: number;
}

/** Socket control of the adapter built for the most recent `sdkUser` (set before that user connects). */
const controlOfNextUser: { current: SocketControl } = { current: { open: new Set(), offlineUntil: 0 } };

/** Routes every sdkUser of the calling test file through an adapter that records its sockets. */
export function useDroppableSockets(): void {
  useSdkAdapter((options) => {
    const base = createNodeAdapter(options.storage ? { storage: options.storage } : {});
    const control: SocketControl = { open: new Set(), offlineUntil: 0 };
    controlOfNextUser.current = control;
    const sockets = control.open;
    const adapter: PlatformAdapter = {
      ...base,
      request(request) {
        if (Date.now() < control.offlineUntil) {
          return { response: Promise.reject(new HttpRequestError('network', 'offline')), abort: () => undefined };
        }
        return base.request(request);
      },
      openSocket(url, handlers, socketOptions) {
        if (Date.now() < control.offlineUntil) {
          // The network is down: the socket fails, as a refused connection does.
          setTimeout(() => handlers.onClose(1006, 'offline'), 0);
          return { send: () => undefined, close: () => undefined };
        }
        let socket: PlatformSocket | undefined;
        const opened = base.openSocket(
          url,
          {
            ...handlers,
            onClose: (code, reason) => {
              if (socket) sockets.delete(socket);
              handlers.onClose(code, reason);
            },
          },
          socketOptions,
        );
        socket = opened;
        sockets.add(opened);
        return opened;
      },
    };
    return adapter;
  });
}

/** `userId`: another device of that user (the app needs multi-device on). */
export async function roomUser(server: RunningServer, app: TestApp, name: string, userId?: string): Promise<RoomUser> {
  const user = await sdkUser(server, app, name, userId === undefined ? {} : { userId });
  const control = controlOfNextUser.current;
  const statusEvents: StatusInfo[] = [];
  user.client.setChatRoomStatusListener({ onChanged: (info: StatusInfo) => statusEvents.push(info) });
  const roomUserValue: RoomUser = Object.assign(user, {
    statusEvents,
    dropConnection: (offlineMs = 0): void => {
      control.offlineUntil = Date.now() + offlineMs;
      for (const socket of [...control.open]) socket.close(1000, 'test drop');
    },
  });
  expect(await user.connect()).toBe(user.userId);
  return roomUserValue;
}

export function newRoomId(name = 'room'): string {
  return newUserId(name);
}

export async function createRoom(server: RunningServer, app: TestApp, roomId: string): Promise<void> {
  const res = await serverApi(server.url, app.key, app.secret).post(`/chatroom/create.json`, { [`chatroom[${roomId}]`]: roomId });
  expect(res.body).toMatchObject({ code: 200 });
}

export async function api(server: RunningServer, app: TestApp, path: string, form: Record<string, string | number | readonly string[]>): Promise<void> {
  const res = await serverApi(server.url, app.key, app.secret).post(path, form);
  expect({ path, body: res.body }).toMatchObject({ path, body: { code: 200 } });
}

export function join(user: SdkUser, roomId: string, count: number): Promise<CallResult> {
  return call((cb) => user.im.joinChatRoom(roomId, count, cb));
}

export async function joinOk(user: SdkUser, roomId: string, count = 0): Promise<void> {
  expect(await join(user, roomId, count)).toMatchObject({ ok: true });
}

export function sendText(user: SdkUser, roomId: string, text: string): Promise<CallResult<Message>> {
  return call<Message>((cb) => user.im.sendMessage(CHATROOM, roomId, new TextMessage({ content: text }), cb));
}

export async function sendOk(user: SdkUser, roomId: string, text: string): Promise<Message> {
  const result = await sendText(user, roomId, text);
  if (!result.ok) throw new Error(`send ${text} failed with ${result.code}`);
  return result.value;
}

export const textOf = (m: Message): unknown => m.content['content'];

/** Room messages `user` received from `roomId`, as their texts. */
export function roomTexts(user: SdkUser, roomId: string): unknown[] {
  return user.received.filter((r) => r.message.conversationType === CHATROOM && r.message.targetId === roomId).map((r) => textOf(r.message));
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it is true (bounded). */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await delay(25);
  }
}

/** Resolves with the first status event `predicate` accepts (already reported ones count). */
export async function nextStatus(user: RoomUser, predicate: (info: StatusInfo) => boolean, timeoutMs = 10_000): Promise<StatusInfo> {
  let found: StatusInfo | undefined;
  await eventually(
    'a matching chatroom status event',
    () => {
      found = user.statusEvents.find(predicate);
      return found !== undefined;
    },
    timeoutMs,
  );
  return found as StatusInfo;
}
