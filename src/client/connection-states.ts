/**
 * Connection state machine: the states, what each state allows (policy table), and the one pure
 * rule `nextState(from, cause)` every state change goes through. Internal names only; the public
 * RongIMLib `ConnectionStatus` numbers are derived from `{ to, cause }` in src/api.
 */
export const ConnectionState = {
  Idle: 'idle',
  Connecting: 'connecting',
  Connected: 'connected',
  Reconnecting: 'reconnecting',
  Suspended: 'suspended',
  Closed: 'closed',
} as const;
export type ConnectionState = (typeof ConnectionState)[keyof typeof ConnectionState];

export const CONNECTION_STATES: readonly ConnectionState[] = Object.values(ConnectionState);

export interface StatePolicy {
  /** Frames may be written to the transport now. */
  readonly canSend: boolean;
  /** publish/query wait for the connection instead of failing at once. */
  readonly queuesOutbound: boolean;
}

export const STATE_POLICY = {
  idle: { canSend: false, queuesOutbound: false },
  connecting: { canSend: false, queuesOutbound: true },
  connected: { canSend: true, queuesOutbound: false },
  reconnecting: { canSend: false, queuesOutbound: true },
  suspended: { canSend: false, queuesOutbound: false }, // offline
  closed: { canSend: false, queuesOutbound: false }, // logout, kicked, bad token
} as const satisfies Record<ConnectionState, StatePolicy>;

/**
 * Why a state changed. `code` values are RongIMLib ErrorCode numbers (e.g. 30002 network
 * unavailable, 30013 ping timeout, 31000 connect timeout, 31009 user blocked).
 */
export type StateCause =
  /** The app called connect()/reconnect() (`connect`) or disconnect() (`disconnect`). */
  | { readonly kind: 'user'; readonly action: 'connect' | 'disconnect' }
  /** CONNACK status 0. */
  | { readonly kind: 'accepted' }
  /** Transport lost, heartbeat dead, or a connect attempt failed for a transient reason. */
  | { readonly kind: 'network'; readonly code: number }
  /** The host reported the network gone. */
  | { readonly kind: 'offline' }
  /** The host reported the network back, or the app came to the foreground. */
  | { readonly kind: 'online' }
  /** An automatic reconnect attempt starts (the official client reports CONNECTING for each one). */
  | { readonly kind: 'retry' }
  /** DISCONNECT reason 1: the same user logged in elsewhere. */
  | { readonly kind: 'kicked' }
  /** DISCONNECT reason 2 or CONNACK status 9. */
  | { readonly kind: 'blocked' }
  /** DISCONNECT reasons 3/4/5 (remote close, logout, block-new). */
  | { readonly kind: 'server-closed'; readonly reason: number }
  /** CONNACK status 6 or DISCONNECT 0/6: fetch navi again and reconnect. */
  | { readonly kind: 'redirect' }
  /** Empty token or CONNACK status 4. */
  | { readonly kind: 'token-incorrect' }
  /** Any other refusal that retrying cannot fix (CONNACK statuses, navi `type: 1`, …). */
  | { readonly kind: 'rejected'; readonly code: number };

export type StateCauseKind = StateCause['kind'];

const LIVE: ReadonlySet<ConnectionState> = new Set(['connecting', 'connected', 'reconnecting', 'suspended']);

/**
 * The transition rule. `undefined` = the cause does not change the state (the engine ignores it).
 * `reconnecting → reconnecting` on `network` and on `retry` are real transitions: each automatic attempt's
 * start and failure is reported (the official client emits CONNECTING when an attempt starts and
 * WEBSOCKET_UNAVAILABLE when it fails).
 */
export function nextState(from: ConnectionState, cause: StateCause): ConnectionState | undefined {
  switch (cause.kind) {
    case 'user':
      if (cause.action === 'connect') return from === 'idle' || from === 'closed' ? 'connecting' : undefined;
      return LIVE.has(from) ? 'closed' : undefined;
    case 'accepted':
      return from === 'connecting' || from === 'reconnecting' ? 'connected' : undefined;
    case 'network':
      if (from === 'connected' || from === 'reconnecting') return 'reconnecting';
      // The first connect has no session to preserve: it fails and the app decides.
      return from === 'connecting' ? 'closed' : undefined;
    case 'offline':
      return from === 'connected' || from === 'reconnecting' ? 'suspended' : undefined;
    case 'online':
      return from === 'suspended' ? 'reconnecting' : undefined;
    case 'retry':
      return from === 'reconnecting' ? 'reconnecting' : undefined;
    case 'redirect':
      return from === 'connected' ? 'reconnecting' : undefined;
    case 'kicked':
    case 'blocked':
    case 'server-closed':
    case 'token-incorrect':
    case 'rejected':
      return LIVE.has(from) ? 'closed' : undefined;
  }
}

export interface StateChange {
  readonly from: ConnectionState;
  readonly to: ConnectionState;
  readonly cause: StateCause;
}

/** Holds the current state; `transition` is the only writer and emits each change once. */
export class StateMachine {
  private current: ConnectionState = 'idle';

  constructor(private readonly onChange: (change: StateChange) => void) {}

  get state(): ConnectionState {
    return this.current;
  }

  get policy(): StatePolicy {
    return STATE_POLICY[this.current];
  }

  /** Applies `nextState`; returns the change made, or undefined when the cause was ignored. */
  transition(cause: StateCause): StateChange | undefined {
    const to = nextState(this.current, cause);
    if (to === undefined) return undefined;
    const change: StateChange = { from: this.current, to, cause };
    this.current = to;
    this.onChange(change);
    return change;
  }
}
