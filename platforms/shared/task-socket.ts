/**
 * `openSocket` over a host SocketTask (wx/tt/swan/uni `connectSocket`, Alipay `multiple: true`
 * or the single-socket facade in platforms/alipay). Keeps the SocketHandlers contract for hosts
 * that do not: nothing is delivered from inside `openSocket`; `onOpen` at most once; `onClose`
 * exactly once, also when the host only reports an error or a failed `connectSocket` call, or
 * never answers a local close; nothing after `onClose`. Host slots are held through SocketGate
 * until the host itself reports the close, so a reconnect never exceeds the host's limit.
 */
import type { Clock, PlatformSocket, SocketHandlers, SocketOptions } from '../../src/platform/platform-adapter';
import { bytesOf, isArrayBuffer } from './host-data';
import type { GateEntry, SocketGate } from './socket-gate';

export interface HostCloseResult {
  /** A number on most hosts; Douyin's typings allow a numeric string. */
  readonly code?: number | string;
  readonly reason?: string;
}

export interface HostMessageResult {
  readonly data?: unknown;
  /** Alipay: `data` is base64 text of a binary frame. */
  readonly isBuffer?: boolean;
}

/** What a host SocketTask offers (method signatures: host typings differ in callback detail). */
export interface HostSocketTask {
  send(options: { data: string | ArrayBuffer; isBuffer?: boolean; fail?(result: unknown): void }): void;
  close(options: { code?: number; reason?: string; fail?(result: unknown): void }): void;
  onOpen(listener: (result: unknown) => void): void;
  onClose(listener: (result: HostCloseResult) => void): void;
  onError(listener: (result: unknown) => void): void;
  onMessage(listener: (result: HostMessageResult) => void): void;
}

/** How one host opens a task and encodes an outgoing frame. */
export interface SocketDialect {
  /**
   * Starts a connection. `fail` is the host's `connectSocket` fail callback (no task events follow
   * it). Returns undefined when the host gave no task back.
   */
  connect(url: string, options: SocketOptions | undefined, fail: (message: string) => void): HostSocketTask | undefined;
  encode(data: Uint8Array): { data: string | ArrayBuffer; isBuffer?: true };
}

/** A host that reports an error but never the close gets one synthesised after this long. */
export const HOST_CLOSE_GRACE_MS = 2_000;

/** Close codes an endpoint may send (RFC 6455 §7.4); hosts reject others. */
export function sendableCloseCode(code: number | undefined): number {
  if (code === undefined) return 1000;
  return code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000;
}

export function messageOf(result: unknown): string {
  if (result !== null && typeof result === 'object') {
    const r = result as { errMsg?: unknown; errorMessage?: unknown; message?: unknown };
    for (const m of [r.errMsg, r.errorMessage, r.message]) if (typeof m === 'string' && m !== '') return m;
  }
  return typeof result === 'string' ? result : 'socket error';
}

/**
 * The frame of a SocketTask message event: `{ data, isBuffer }` itself (WeChat, Douyin, Baidu, uni, Alipay's prose
 * docs), or — as Alipay's published typings (@mini-types/my) declare its SocketTask events — nested one level down,
 * `{ data: { socketTaskID, data, isBuffer } }`. Both are read, so neither form of a real Alipay client loses frames.
 */
function frameOf(result: HostMessageResult): HostMessageResult {
  const inner = result.data;
  if (typeof inner === 'object' && inner !== null && !ArrayBuffer.isView(inner) && !isArrayBuffer(inner) && 'data' in inner) return inner as HostMessageResult;
  return result;
}

export function openTaskSocket(
  dialect: SocketDialect,
  gate: SocketGate,
  clock: Clock,
  url: string,
  handlers: SocketHandlers,
  options?: SocketOptions,
): PlatformSocket {
  let phase: 'waiting' | 'connecting' | 'open' | 'closed' = 'waiting';
  let task: HostSocketTask | undefined;
  let hostClosed = false;
  let graceTimer: unknown;
  let inOpenSocket = true;

  /** Handler calls made while `openSocket` is still running are moved to the next tick. */
  const deliver = (call: () => void): void => {
    if (inOpenSocket) clock.setTimeout(call, 0);
    else call();
  };
  const finish = (code: number, reason: string): void => {
    if (phase === 'closed') return;
    phase = 'closed';
    deliver(() => handlers.onClose(code, reason));
  };
  const fail = (message: string): void => {
    if (phase === 'closed') return;
    deliver(() => handlers.onError(new Error(message)));
    finish(1006, message);
  };
  const hostGone = (): void => {
    if (hostClosed) return;
    hostClosed = true;
    if (graceTimer !== undefined) clock.clearTimeout(graceTimer);
    graceTimer = undefined;
    gate.release(entry);
  };
  /**
   * After a local close or a host error the host should report the close; if it never does, the
   * slot is freed and (after an error) the close reported anyway.
   */
  const awaitHostClose = (): void => {
    if (hostClosed || graceTimer !== undefined) return;
    graceTimer = clock.setTimeout(() => {
      graceTimer = undefined;
      hostGone();
      finish(1006, 'the host reported an error but no close');
    }, HOST_CLOSE_GRACE_MS);
  };
  const closeTask = (code?: number, reason?: string): void => {
    gate.closing(entry);
    if (task === undefined) {
      hostGone();
      return;
    }
    awaitHostClose();
    try {
      task.close({ code: sendableCloseCode(code), reason: reason ?? '', fail: () => undefined });
    } catch {
      hostGone();
    }
  };

  const start = (): void => {
    if (phase !== 'waiting') {
      hostGone();
      return;
    }
    phase = 'connecting';
    let connectFailed = false;
    const onConnectFail = (message: string): void => {
      connectFailed = true;
      hostGone();
      fail(message);
    };
    try {
      task = dialect.connect(url, options, onConnectFail);
    } catch (error) {
      onConnectFail(error instanceof Error ? error.message : String(error));
      return;
    }
    if (connectFailed) return;
    if (task === undefined) {
      onConnectFail('the host returned no SocketTask');
      return;
    }
    task.onOpen(() => {
      if (phase === 'connecting') {
        phase = 'open';
        deliver(() => handlers.onOpen());
      } else if (phase === 'closed') {
        // Closed while connecting and the host ignored that close: close it now that it is open.
        closeTask();
      }
    });
    task.onMessage((result) => {
      if (phase !== 'open') return;
      const frame = frameOf(result);
      const bytes = bytesOf(frame.data, frame.isBuffer === true);
      if (bytes !== undefined) deliver(() => handlers.onMessage(bytes));
    });
    task.onError((result) => {
      if (phase === 'closed' || hostClosed) return;
      deliver(() => handlers.onError(new Error(messageOf(result))));
      awaitHostClose();
    });
    task.onClose((result) => {
      hostGone();
      finish(closeCodeOf(result?.code), typeof result?.reason === 'string' ? result.reason : '');
    });
  };

  const entry: GateEntry = {
    start,
    // Runs inside another socket's openSocket: the close is reported on the next tick.
    evict: () => {
      if (phase === 'closed') return;
      phase = 'closed';
      closeTask(1000, 'replaced');
      const why = 'closed: this host allows one socket and a newer one was opened';
      clock.setTimeout(() => handlers.onClose(1006, why), 0);
    },
    reject: (reason) => {
      hostGone();
      fail(reason);
    },
  };
  gate.enter(entry);
  inOpenSocket = false;

  return {
    send(data: Uint8Array): void {
      if (phase !== 'open' || task === undefined) return;
      try {
        task.send({ ...dialect.encode(data), fail: () => undefined });
      } catch {
        // A send the host refuses is a lost frame; the socket's own events report a dead socket.
      }
    },
    close(code?: number, reason?: string): void {
      if (phase === 'closed') return;
      const wasWaiting = phase === 'waiting';
      phase = 'closed';
      if (wasWaiting) gate.release(entry);
      else closeTask(code, reason);
      clock.setTimeout(() => handlers.onClose(code ?? 1000, reason ?? ''), 0);
    },
  };
}

/** The close code as a number: numeric strings parsed, anything else 1006 (abnormal closure). */
export function closeCodeOf(code: number | string | undefined): number {
  if (typeof code === 'number') return code;
  if (typeof code === 'string' && /^\d{1,4}$/.test(code)) return Number(code);
  return 1006;
}
