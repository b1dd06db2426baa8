/**
 * The single global Alipay socket (my.connectSocket without `multiple`) as a HostSocketTask, so the
 * shared task mapping drives it too. The global my.onSocket* listeners cannot tell connections
 * apart, so correctness rests on the adapter's SocketGate with limit 1: a connection is started
 * only after the previous one reported its close. Each facade registers its own listeners and
 * drops them (off*) after its close; where off* is missing the stale listeners stay but are inert.
 */
import type { SocketOptions } from '../../src/platform/platform-adapter';
import type { HostCloseResult, HostMessageResult, HostSocketTask } from '../shared/task-socket';
import { messageOf } from '../shared/task-socket';
import type { AlipayHost } from './alipay-host';

export function connectSingleSocket(
  my: AlipayHost,
  url: string,
  options: SocketOptions | undefined,
  fail: (message: string) => void,
): HostSocketTask {
  let live = true;
  const open: Array<(result: unknown) => void> = [];
  const message: Array<(result: HostMessageResult) => void> = [];
  const close: Array<(result: HostCloseResult) => void> = [];
  const error: Array<(result: unknown) => void> = [];
  const emit = <T>(listeners: ReadonlyArray<(result: T) => void>, result: T): void => {
    if (!live) return;
    for (const listener of [...listeners]) listener(result);
  };

  // my.onSocketOpen passes no argument; the task-style listener gets an empty result.
  const onOpen = (): void => emit(open, {});
  const onMessage = (result: HostMessageResult): void => emit(message, result);
  const onError = (result: unknown): void => emit(error, result);
  const onClose = (result: HostCloseResult): void => {
    emit(close, result);
    detach();
  };
  const detach = (): void => {
    if (!live) return;
    live = false;
    my.offSocketOpen?.(onOpen);
    my.offSocketMessage?.(onMessage);
    my.offSocketClose?.(onClose);
    my.offSocketError?.(onError);
  };

  my.onSocketOpen(onOpen);
  my.onSocketMessage(onMessage);
  my.onSocketClose(onClose);
  my.onSocketError(onError);
  my.connectSocket({
    url,
    ...(options?.headers === undefined ? {} : { header: { ...options.headers } }),
    success: () => undefined,
    fail: (result) => {
      detach();
      fail(messageOf(result));
    },
    complete: () => undefined,
  });

  return {
    send: (o) => {
      if (typeof o.data !== 'string') throw new TypeError('my.sendSocketMessage takes string data (base64 with isBuffer for binary)');
      my.sendSocketMessage({ data: o.data, ...(o.isBuffer === true ? { isBuffer: true } : {}), fail: (r) => o.fail?.(r) });
    },
    close: (o) => my.closeSocket({ ...(o.code === undefined ? {} : { code: o.code }), ...(o.reason === undefined ? {} : { reason: o.reason }), fail: (r) => o.fail?.(r) }),
    onOpen: (listener) => void open.push(listener),
    onMessage: (listener) => void message.push(listener),
    onClose: (listener) => void close.push(listener),
    onError: (listener) => void error.push(listener),
  };
}
