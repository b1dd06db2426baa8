/**
 * Chatrooms on the client (PROTOCOL.md §6.4, §7.6, §8.7, §8.8; API_CHECKLIST §3.10, §6.5): join
 * (`joinChrm`, or `joinChrmR` for existing rooms only), quit, member info, room history, room message
 * pulls (chatroom-pull.ts), KV attributes (chatroom-kv.ts) and the status events the facade turns
 * into `setChatRoomStatusListener` calls.
 *
 * Joined rooms are remembered with the count they were joined with. After an automatic reconnect
 * every remembered room is re-joined with `joinChrmR` (its cursor kept, so the pull catches up on what
 * was missed) and each result is reported as `rejoinedRoom`; a room that refuses the user (blocked
 * 23409, gone 23410) is forgotten. A new connect (or another user) forgets all rooms. Without navi
 * `joinMChrm` only the last joined room is kept, as the server then keeps one room per user.
 * Room messages bypass the inbox pipeline: they are not counted, not in the conversation list, and
 * deduplicated per room.
 */
import { TypedEmitter } from '../../../events';
import type { Unsubscribe } from '../../../events';
import { errorCodeOf, ErrorCode, SdkError } from '../../../errors';
import { decodeByName, encodeByName } from '../../../protocol/messages';
import { ProtocolError } from '../../../protocol/protocol-error';
import type { Engine } from '../../im-engine';
import type { Logger } from '../../logger';
import type { PushEvent, ServiceEngine } from '../engine-port';
import type { ImMessage } from '../im-message';
import { fromDownStream } from '../im-message';
import { ChatroomKv } from './chatroom-kv';
import type { KvChangeRequest } from './chatroom-kv';
import type { KvChange } from './chatroom-kv-cache';
import { newRoomState, RoomPuller } from './chatroom-pull';
import type { RoomPullState } from './chatroom-pull';

export type ChatroomEngine = ServiceEngine & Pick<Engine, 'navi'>;

/** What `setChatRoomStatusListener`'s `onChanged` receives (one kind per event). */
export interface ChatroomStatusInfo {
  readonly updatedEntries?: KvChange[];
  readonly userChange?: { readonly chatroomId: string; readonly users: Record<string, number> };
  readonly chatroomDestroyed?: string;
  readonly rejoinedRoom?: { readonly chatroomId: string; readonly count: number } | { readonly chatroomId: string; readonly errorCode: number };
}

export interface ChatroomServiceEvents {
  status: ChatroomStatusInfo;
}

export interface ChatroomInfo {
  readonly userInfos: Array<{ id: string; time: number }>;
  readonly userTotalNums: number;
}

export interface ChatroomHistoryPage {
  readonly messages: ImMessage[];
  readonly hasMore: boolean;
}

export interface ChatroomServiceDeps {
  readonly engine: ChatroomEngine;
  readonly logger: Logger;
  /** Server-corrected now (ms), stamped on the user's own KV changes. */
  readonly now: () => number;
  /** Hands a room message to the app's message listener. */
  deliver(message: ImMessage, leftCount: number, hasMore: boolean): void;
}

/** The join count when the app gives none (E4 default). */
export const DEFAULT_JOIN_COUNT = 10;
/** `s_ntf` / `s_cmd` NotifyMsg types concerning rooms. */
const Notify = { RoomMessages: 2, KvChanged: 2, RoomDestroyed: 4 } as const;
/** Join/quit notices the server sends into the room when the app enabled them. */
export const MEMBER_CHANGE_OBJECT_NAME = 'RC:ChrmMemChange';
/** Rejoin answers after which the room is not tried again. */
const FORGET_ON: ReadonlySet<number> = new Set([ErrorCode.RC_CHATROOM_USER_KICKED, ErrorCode.RC_CHATROOM_NOT_EXIST]);
const NO_POLICY = (): undefined => undefined;

const truthy = (value: unknown): boolean => value === true || value === 1 || value === '1' || value === 'true';

export class ChatroomService {
  readonly events: TypedEmitter<ChatroomServiceEvents>;
  private readonly rooms = new Map<string, RoomPullState>();
  private readonly kv: ChatroomKv;
  private readonly puller: RoomPuller;
  private readonly unsubscribes: Unsubscribe[] = [];
  /** Whose rooms `rooms` holds. */
  private userId = '';

  constructor(private readonly deps: ChatroomServiceDeps) {
    const { engine, logger } = deps;
    this.events = new TypedEmitter<ChatroomServiceEvents>((error) => logger.error('chatroom status listener threw', error));
    this.kv = new ChatroomKv(engine, logger, deps.now, (changes) => this.events.emit('status', { updatedEntries: changes }));
    this.puller = new RoomPuller({
      engine,
      logger,
      isCurrent: (room) => this.rooms.get(room.roomId) === room,
      deliver: (room, messages, finished) => this.deliverPage(room, messages, finished),
    });
    this.unsubscribes.push(engine.on('push', (event) => this.onPush(event)));
    this.unsubscribes.push(
      engine.on('connected', ({ userId, reconnect }) => {
        if (!reconnect || userId !== this.userId) {
          this.reset();
          this.userId = userId;
          return;
        }
        void this.rejoinAll();
      }),
    );
  }

  /** Rooms currently joined (remembered for re-join), oldest first. */
  get joinedRooms(): string[] {
    return [...this.rooms.keys()];
  }

  /** `joinChrm` (or `joinChrmR` when `existing`), then the join pull and, with navi `kvStorage`, `pullKV`. */
  async join(roomId: string, count: number, existing = false): Promise<void> {
    const ack = await this.deps.engine.query(existing ? 'joinChrmR' : 'joinChrm', roomId, encodeByName('ChrmInput', { nothing: 1 }));
    if (ack.status !== 0) throw new SdkError(ack.status);
    const joinTime = this.joinTimeOf(ack.payload);
    if (!this.navi('joinMChrm')) {
      for (const other of [...this.rooms.keys()]) if (other !== roomId) this.forget(other);
    }
    let room = this.rooms.get(roomId);
    if (!room) this.rooms.set(roomId, (room = newRoomState(roomId, count)));
    room.count = count;
    room.joinTime = joinTime;
    void this.puller.pull(room, count, joinTime);
    if (this.navi('kvStorage')) void this.kv.pull(roomId);
  }

  /** `exitChrm`; forgets the room's cursor, attributes and re-join record. */
  async quit(roomId: string): Promise<void> {
    const ack = await this.deps.engine.query('exitChrm', roomId, encodeByName('ChrmInput', { nothing: 1 }));
    if (ack.status !== 0) throw new SdkError(ack.status);
    this.forget(roomId);
  }

  /** `queryChrmI`: member total and up to `count` members by join time (order 1 ascending, 2 descending). */
  async info(roomId: string, count: number, order: number): Promise<ChatroomInfo> {
    const ack = await this.deps.engine.query('queryChrmI', roomId, encodeByName('QueryChatRoomInfoInput', { count, order }));
    if (ack.status !== 0) throw new SdkError(ack.status);
    const out = decodeByName('QueryChatRoomInfoOutput', ack.payload);
    return { userInfos: out.userInfos.map((u) => ({ id: u.id, time: Number(u.time) })), userTotalNums: Number(out.userTotalNums ?? 0) };
  }

  /** `qryCHMsg`: order 0 = older than `timestamp` (0 = now), 1 = newer; the page ascending by time. */
  async history(roomId: string, timestamp: number, count: number, order: 0 | 1): Promise<ChatroomHistoryPage> {
    const payload = encodeByName('HistoryMsgInput', { targetId: roomId, time: timestamp, count, order });
    const ack = await this.deps.engine.query('qryCHMsg', roomId, payload);
    if (ack.status !== 0) throw new SdkError(ack.status);
    const out = decodeByName('HistoryMsgOuput', ack.payload);
    const context = this.context();
    const messages = out.list.map((d) => ({ ...fromDownStream(d, context), targetId: roomId }));
    messages.sort((a, b) => a.sentTime - b.sentTime);
    return { messages, hasMore: Number(out.hasMsg) !== 0 };
  }

  changeEntry(roomId: string, request: KvChangeRequest): Promise<void> {
    return this.kv.change(roomId, request);
  }

  /** A joined room's value from its local copy, another room's from the server; 23427 when the key is not there. */
  async getEntry(roomId: string, key: string): Promise<string> {
    const value = (await this.kv.entries(roomId, this.rooms.has(roomId)))?.get(key);
    if (value === undefined) throw new SdkError(ErrorCode.CHATROOM_KEY_NOT_EXIST);
    return value;
  }

  async getAllEntries(roomId: string): Promise<Record<string, string>> {
    return (await this.kv.entries(roomId, this.rooms.has(roomId)))?.all() ?? {};
  }

  /** The user who set `key` in the local copy (undefined when absent). */
  entryOwner(roomId: string, key: string): string | undefined {
    return this.kv.ownerOf(roomId, key);
  }

  /** Forgets every room (logout, user switch, a fresh connect). */
  reset(): void {
    this.rooms.clear();
    this.kv.resetAll();
  }

  dispose(): void {
    this.reset();
    for (const off of this.unsubscribes.splice(0)) off();
  }

  private async rejoinAll(): Promise<void> {
    for (const room of [...this.rooms.values()]) {
      if (this.rooms.get(room.roomId) !== room) continue;
      try {
        await this.join(room.roomId, room.count, true);
        this.events.emit('status', { rejoinedRoom: { chatroomId: room.roomId, count: room.count } });
      } catch (error) {
        const code = errorCodeOf(error);
        if (FORGET_ON.has(code)) this.forget(room.roomId);
        this.events.emit('status', { rejoinedRoom: { chatroomId: room.roomId, errorCode: code } });
      }
    }
  }

  private forget(roomId: string): void {
    this.rooms.delete(roomId);
    this.kv.reset(roomId);
  }

  private navi(name: string): boolean {
    return truthy(this.deps.engine.navi?.[name]);
  }

  private context(): { me: string; connectedAt: number; policyOf: typeof NO_POLICY } {
    return { me: this.deps.engine.userId, connectedAt: this.deps.engine.connectedAt, policyOf: NO_POLICY };
  }

  private joinTimeOf(payload: Uint8Array): number {
    if (payload.length === 0) return 0;
    try {
      return Number(decodeByName('ChrmOutput', payload).joinTime ?? 0);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      return 0;
    }
  }

  private deliverPage(room: RoomPullState, messages: readonly ImMessage[], finished: boolean): void {
    const shown = messages.filter((m) => {
      if (m.objectName !== MEMBER_CHANGE_OBJECT_NAME) return true;
      this.memberChange(room.roomId, m);
      return false;
    });
    shown.forEach((message, index) => {
      const leftCount = shown.length - 1 - index;
      this.deps.deliver(message, leftCount, !finished || leftCount > 0);
    });
  }

  /** `RC:ChrmMemChange {userList:[{userId, status}]}` → `userChange {chatroomId, users: {id: 0|1}}`. */
  private memberChange(roomId: string, message: ImMessage): void {
    const list = message.content?.['userList'];
    if (!Array.isArray(list)) return;
    const users: Record<string, number> = {};
    for (const item of list) {
      if (typeof item !== 'object' || item === null) continue;
      const { userId, status } = item as { userId?: unknown; status?: unknown };
      if (typeof userId === 'string' && (status === 0 || status === 1)) users[userId] = status;
    }
    if (Object.keys(users).length > 0) this.events.emit('status', { userChange: { chatroomId: roomId, users } });
  }

  private onPush(event: PushEvent): void {
    if (event.topic !== 's_ntf' && event.topic !== 's_cmd') return;
    let notify;
    try {
      notify = decodeByName('NotifyMsg', event.payload);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      return;
    }
    const roomId = notify.chrmId ?? '';
    const room = this.rooms.get(roomId);
    if (!room) return;
    const time = Number(notify.time ?? 0);
    if (event.topic === 's_ntf') {
      if (notify.type === Notify.RoomMessages) this.puller.notify(room, time);
      return;
    }
    if (notify.type === Notify.KvChanged) void this.kv.pull(roomId, time);
    else if (notify.type === Notify.RoomDestroyed) {
      this.forget(roomId);
      this.events.emit('status', { chatroomDestroyed: roomId });
    }
  }
}
