import {
  CONNECTION_STATES,
  STATE_POLICY,
  StateMachine,
  nextState,
  type ConnectionState,
  type StateCause,
  type StateChange,
} from '../../../src/client/connection-states';

const C = {
  connect: { kind: 'user', action: 'connect' },
  disconnect: { kind: 'user', action: 'disconnect' },
  accepted: { kind: 'accepted' },
  network: { kind: 'network', code: 30002 },
  offline: { kind: 'offline' },
  online: { kind: 'online' },
  retry: { kind: 'retry' },
  kicked: { kind: 'kicked' },
  blocked: { kind: 'blocked' },
  serverClosed: { kind: 'server-closed', reason: 3 },
  redirect: { kind: 'redirect' },
  tokenIncorrect: { kind: 'token-incorrect' },
  rejected: { kind: 'rejected', code: 31002 },
} as const satisfies Record<string, StateCause>;
type CauseName = keyof typeof C;

// Every (state, cause) pair; '-' = ignored.
const TABLE: Record<ConnectionState, Record<CauseName, ConnectionState | '-'>> = {
  idle: { connect: 'connecting', disconnect: '-', accepted: '-', network: '-', offline: '-', online: '-', retry: '-', kicked: '-', blocked: '-', serverClosed: '-', redirect: '-', tokenIncorrect: '-', rejected: '-' },
  connecting: { connect: '-', disconnect: 'closed', accepted: 'connected', network: 'closed', offline: '-', online: '-', retry: '-', kicked: 'closed', blocked: 'closed', serverClosed: 'closed', redirect: '-', tokenIncorrect: 'closed', rejected: 'closed' },
  connected: { connect: '-', disconnect: 'closed', accepted: '-', network: 'reconnecting', offline: 'suspended', online: '-', retry: '-', kicked: 'closed', blocked: 'closed', serverClosed: 'closed', redirect: 'reconnecting', tokenIncorrect: 'closed', rejected: 'closed' },
  reconnecting: { connect: '-', disconnect: 'closed', accepted: 'connected', network: 'reconnecting', offline: 'suspended', online: '-', retry: 'reconnecting', kicked: 'closed', blocked: 'closed', serverClosed: 'closed', redirect: '-', tokenIncorrect: 'closed', rejected: 'closed' },
  suspended: { connect: '-', disconnect: 'closed', accepted: '-', network: '-', offline: '-', online: 'reconnecting', retry: '-', kicked: 'closed', blocked: 'closed', serverClosed: 'closed', redirect: '-', tokenIncorrect: 'closed', rejected: 'closed' },
  closed: { connect: 'connecting', disconnect: '-', accepted: '-', network: '-', offline: '-', online: '-', retry: '-', kicked: '-', blocked: '-', serverClosed: '-', redirect: '-', tokenIncorrect: '-', rejected: '-' },
};

describe('nextState', () => {
  for (const from of CONNECTION_STATES) {
    for (const name of Object.keys(C) as CauseName[]) {
      const expected = TABLE[from][name];
      it(`${from} + ${name} → ${expected}`, () => {
        expect(nextState(from, C[name]) ?? '-').toBe(expected);
      });
    }
  }

  it('only connect leaves idle and closed, only connected can send', () => {
    for (const s of CONNECTION_STATES) {
      expect(STATE_POLICY[s].canSend).toBe(s === 'connected');
      const leaves = Object.values(C).filter((c) => nextState(s, c) !== undefined && nextState(s, c) !== s);
      if (s === 'closed' || s === 'idle') expect(leaves).toEqual([C.connect]);
      else expect(leaves.length).toBeGreaterThan(1);
    }
  });

  it('every non-terminal state is reachable from idle and can reach closed', () => {
    const reach = new Set<ConnectionState>(['idle']);
    for (let round = 0; round < 6; round++) {
      for (const s of [...reach]) for (const c of Object.values(C)) {
        const to = nextState(s, c);
        if (to !== undefined) reach.add(to);
      }
    }
    expect([...reach].sort()).toEqual([...CONNECTION_STATES].sort());
  });
});

describe('StateMachine', () => {
  it('emits each change once with from/to/cause and ignores no-op causes', () => {
    const changes: StateChange[] = [];
    const sm = new StateMachine((c) => changes.push(c));
    expect(sm.state).toBe('idle');
    expect(sm.transition(C.online)).toBeUndefined();
    sm.transition(C.connect);
    sm.transition(C.accepted);
    sm.transition(C.network);
    sm.transition(C.network);
    sm.transition(C.kicked);
    expect(changes.map((c) => `${c.from}>${c.to}:${c.cause.kind}`)).toEqual([
      'idle>connecting:user',
      'connecting>connected:accepted',
      'connected>reconnecting:network',
      'reconnecting>reconnecting:network',
      'reconnecting>closed:kicked',
    ]);
    expect(sm.state).toBe('closed');
    expect(sm.policy).toBe(STATE_POLICY.closed);
  });
});
