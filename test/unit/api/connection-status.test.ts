/** Engine state changes → legacy ConnectionStatus and 5.7 RCConnectionStatus + code. */
import { publicStatusOf } from '../../../src/api/connection-status';
import type { StateCause, StateChange } from '../../../src/client/connection-states';
import { ConnectionStatus, ErrorCode, RCConnectionStatus } from '../../../src/index';

const change = (from: StateChange['from'], to: StateChange['to'], cause: StateCause): StateChange => ({ from, to, cause });

test('connect, success and user disconnect', () => {
  expect(publicStatusOf(change('idle', 'connecting', { kind: 'user', action: 'connect' }))).toEqual({ legacy: ConnectionStatus.CONNECTING, status: RCConnectionStatus.CONNECTING });
  expect(publicStatusOf(change('connecting', 'connected', { kind: 'accepted' }))).toEqual({ legacy: ConnectionStatus.CONNECTED, status: RCConnectionStatus.CONNECTED });
  expect(publicStatusOf(change('connected', 'closed', { kind: 'user', action: 'disconnect' }))).toMatchObject({ legacy: ConnectionStatus.DISCONNECTED, status: RCConnectionStatus.DISCONNECTED });
});

test('temporary losses are SUSPENDED with the reason; legacy: CONNECTING at the loss and at each attempt, websocket-unavailable when one fails', () => {
  expect(publicStatusOf(change('connected', 'reconnecting', { kind: 'network', code: 30013 }))).toEqual({ legacy: ConnectionStatus.CONNECTING, status: RCConnectionStatus.SUSPENDED, code: 30013 });
  expect(publicStatusOf(change('reconnecting', 'reconnecting', { kind: 'network', code: 30002 }))).toEqual({ legacy: ConnectionStatus.WEBSOCKET_UNAVAILABLE, status: RCConnectionStatus.SUSPENDED, code: 30002 });
  // An attempt's start is a legacy status only: the 5.7 listener stays at SUSPENDED.
  expect(publicStatusOf(change('reconnecting', 'reconnecting', { kind: 'retry' }))).toEqual({ legacy: ConnectionStatus.CONNECTING });
  expect(publicStatusOf(change('connected', 'suspended', { kind: 'offline' }))).toMatchObject({ legacy: ConnectionStatus.NETWORK_UNAVAILABLE, status: RCConnectionStatus.SUSPENDED });
  expect(publicStatusOf(change('connected', 'reconnecting', { kind: 'redirect' }))).toMatchObject({ legacy: ConnectionStatus.REDIRECT, status: RCConnectionStatus.SUSPENDED });
});

test('terminal closes are DISCONNECTED with the reason; kicked and blocked keep their legacy numbers, after DISCONNECTED (2) when a live session ends', () => {
  const before = ConnectionStatus.DISCONNECTED;
  expect(publicStatusOf(change('connected', 'closed', { kind: 'kicked' }))).toStrictEqual({ legacy: ConnectionStatus.KICKED_OFFLINE_BY_OTHER_CLIENT, before, status: RCConnectionStatus.DISCONNECTED, code: ErrorCode.RC_DISCONN_KICK });
  expect(publicStatusOf(change('connected', 'closed', { kind: 'blocked' }))).toStrictEqual({ legacy: ConnectionStatus.BLOCKED, before, status: RCConnectionStatus.DISCONNECTED, code: ErrorCode.RC_CONN_USER_BLOCKED });
  expect(publicStatusOf(change('connected', 'closed', { kind: 'server-closed', reason: 3 }))).toStrictEqual({ legacy: ConnectionStatus.DISCONNECT_BY_SERVER, before, status: RCConnectionStatus.DISCONNECTED, code: ErrorCode.RC_DISCONN_EXCEPTION });
  // CONNACK 9 refuses a connect: no session ended, so no DISCONNECTED before BLOCKED.
  expect(publicStatusOf(change('connecting', 'closed', { kind: 'blocked' }))).toStrictEqual({ legacy: ConnectionStatus.BLOCKED, status: RCConnectionStatus.DISCONNECTED, code: ErrorCode.RC_CONN_USER_BLOCKED });
  expect(publicStatusOf(change('connected', 'closed', { kind: 'user', action: 'disconnect' }))?.before).toBeUndefined();
  expect(publicStatusOf(change('connecting', 'closed', { kind: 'rejected', code: 35010 }))).toMatchObject({ status: RCConnectionStatus.DISCONNECTED, code: 35010 });
});
