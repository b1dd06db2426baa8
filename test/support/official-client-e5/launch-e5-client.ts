/**
 * Parent side of the engine 5.x official-client driver: forks e5-client-child.cjs (one imlib-next singleton
 * per process) and talks to it over IPC. Every wait is bounded; `killAllE5Clients()` reaps every child.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';

export type E5Version = '5.38' | '5.7';

/** What every imlib-next API resolves: `{ code, data?, msg? }` (code 0 = success). */
export interface E5Result<T = unknown> {
  readonly code: number;
  readonly data?: T;
  readonly msg?: string;
}

/** A message object as the 5.x client hands it to the app (the fields the tests read). */
export interface E5Message {
  readonly conversationType: number;
  readonly targetId: string;
  readonly senderUserId: string;
  readonly messageType: string;
  readonly messageUId: string;
  readonly sentTime: number;
  readonly isOffLineMessage?: boolean;
  readonly content: Record<string, unknown>;
}

export interface BlockedRequest {
  readonly via: 'xhr' | 'fetch' | 'websocket' | 'beacon';
  readonly method: string;
  readonly url: string;
  readonly at: number;
}

export interface StatusEvent {
  readonly status: 'CONNECTING' | 'CONNECTED' | 'DISCONNECT' | 'SUSPEND';
  readonly code?: number;
}

export interface ListenerEvent {
  readonly name: 'CHATROOM' | 'CONVERSATION' | 'MESSAGE_READ_RECEIPT_V4' | 'MESSAGE_RECEIPT_RESPONSE_V5' | 'MESSAGE_RECEIPT_RESPONSE' | 'READ_RECEIPT_RECEIVED' | 'EXPANSION' | 'TYPING_STATUS';
  readonly data: unknown;
}

/** Builds `new RongIMLib[className](content)` in the child. */
export interface E5MessageSpec {
  readonly $message: string;
  readonly content: Record<string, unknown>;
}

export interface E5Client {
  readonly label: string;
  readonly version: E5Version;
  readonly statuses: readonly StatusEvent[];
  readonly messages: readonly E5Message[];
  readonly events: readonly ListenerEvent[];
  /** `RongIMLib[method](...args)`; E5MessageSpec arguments are built into message objects. Throws if the call threw. */
  call<T = unknown>(method: string, ...args: unknown[]): Promise<E5Result<T>>;
  /** Same, and throws unless `code === 0`. */
  ok<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
  connect(token: string): Promise<E5Result<{ userId: string }>>;
  sendText(conversationType: number, targetId: string, text: string): Promise<E5Message>;
  nextMessage(predicate?: (message: E5Message) => boolean, timeoutMs?: number): Promise<E5Message>;
  waitForEvent(predicate: (event: ListenerEvent) => boolean, timeoutMs?: number): Promise<ListenerEvent>;
  /** Resolves once the client reported `status` (now or earlier). */
  waitForStatus(status: StatusEvent['status'], timeoutMs?: number): Promise<StatusEvent>;
  /** Every non-loopback request the guard refused so far. */
  blocked(): Promise<BlockedRequest[]>;
  dropSockets(): Promise<void>;
  logs(): string;
  kill(): Promise<void>;
}

export interface LaunchE5Options {
  readonly version: E5Version;
  readonly appKey: string;
  /** Navi base URL passed as `init({ navigators: [navi] })`. */
  readonly navi: string;
  readonly label?: string;
  readonly localStorage?: Readonly<Record<string, string>>;
  readonly callTimeoutMs?: number;
  readonly trace?: boolean;
}

const CHILD_SCRIPT = path.join(
  typeof __dirname === 'string' ? __dirname : path.resolve('test/support/official-client-e5'),
  'e5-client-child.cjs',
);
const MAX_LOG_CHARS = 400_000;
const live = new Set<E5Client>();
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Last resort when a test process exits without cleanup: children must never outlive it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
  });
}

export async function killAllE5Clients(): Promise<void> {
  await Promise.all([...live].map((c) => c.kill()));
}

type ChildEvent =
  | { readonly type: 'ready' }
  | { readonly type: 'reply'; readonly id: number; readonly result: ChildReply }
  | ({ readonly type: 'status' } & StatusEvent)
  | { readonly type: 'message'; readonly message: E5Message }
  | ({ readonly type: 'event' } & ListenerEvent);

interface ChildReply {
  readonly ok: boolean;
  readonly value?: unknown;
  readonly thrown?: string;
}

export async function launchE5Client(options: LaunchE5Options): Promise<E5Client> {
  const label = options.label ?? `e5-${options.version}`;
  const callTimeoutMs = options.callTimeoutMs ?? 15_000;
  const child: ChildProcess = fork(CHILD_SCRIPT, [], {
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, LIANXIN_CLIENT_LABEL: label, ...(options.trace === true ? { LIANXIN_TRACE: '1' } : {}) },
    serialization: 'advanced',
  });
  const echo = process.env.LIANXIN_TRACE === '1';
  let logText = '';
  const appendLog = (chunk: Buffer): void => {
    logText = (logText + chunk.toString('utf8')).slice(-MAX_LOG_CHARS);
    if (echo) process.stderr.write(chunk);
  };
  child.stdout?.on('data', appendLog);
  child.stderr?.on('data', appendLog);

  const statuses: StatusEvent[] = [];
  const messages: E5Message[] = [];
  const events: ListenerEvent[] = [];
  const consumed = new Set<number>();
  const pending = new Map<number, (result: ChildReply) => void>();
  const waiters = new Set<() => void>();
  let nextId = 1;
  let exited = false;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      live.delete(client);
      for (const settle of pending.values()) settle({ ok: false, thrown: 'child exited' });
      pending.clear();
      resolve();
    });
  });
  child.on('message', (raw: unknown) => {
    const event = raw as ChildEvent;
    if (event.type === 'ready') markReady();
    else if (event.type === 'reply') {
      pending.get(event.id)?.(event.result);
      pending.delete(event.id);
    } else if (event.type === 'status') statuses.push(event.code === undefined ? { status: event.status } : { status: event.status, code: event.code });
    else if (event.type === 'message') messages.push(event.message);
    else events.push({ name: event.name, data: event.data });
    for (const check of [...waiters]) check();
  });

  const tail = (): string => (logText.length > 4000 ? `…${logText.slice(-4000)}` : logText);
  const request = (op: string, fields: Record<string, unknown>, timeoutMs = callTimeoutMs): Promise<ChildReply> => {
    if (exited) return Promise.reject(new Error(`${label}: child has exited\n${tail()}`));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${label}: ${op} ${String(fields.method ?? '')} got no answer within ${timeoutMs} ms\n${tail()}`));
      }, timeoutMs);
      pending.set(id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      child.send({ id, op, ...fields });
    });
  };
  const waitFor = <T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const check = (): void => {
        const found = probe();
        if (found === undefined) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`${label}: timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(messages.map((m) => [m.messageType, m.content]))}\n${tail()}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  const call = async <T>(method: string, args: unknown[]): Promise<E5Result<T>> => {
    const result = await request('call', { method, args });
    if (!result.ok) throw new Error(`${label}: RongIMLib.${method} threw: ${result.thrown ?? ''}\n${tail()}`);
    return result.value as E5Result<T>;
  };
  const ok = async <T>(method: string, args: unknown[]): Promise<T> => {
    const result = await call<T>(method, args);
    if (result.code !== 0) throw new Error(`${label}: RongIMLib.${method} → code ${result.code} ${result.msg ?? ''}\n${tail()}`);
    return result.data as T;
  };

  const client: E5Client = {
    label,
    version: options.version,
    statuses,
    messages,
    events,
    call: (method, ...args) => call(method, args),
    ok: (method, ...args) => ok(method, args),
    connect: async (token) => {
      const result = await request('call', { method: 'connect', args: [token] }, 30_000);
      if (!result.ok) throw new Error(`${label}: connect threw ${result.thrown ?? ''}\n${tail()}`);
      return result.value as E5Result<{ userId: string }>;
    },
    sendText: (conversationType, targetId, text) =>
      ok<E5Message>('sendMessage', [{ conversationType, targetId }, { $message: 'TextMessage', content: { content: text } }]),
    nextMessage: (predicate = () => true, timeoutMs = 10_000) =>
      waitFor(
        () => {
          const index = messages.findIndex((m, i) => !consumed.has(i) && predicate(m));
          if (index < 0) return undefined;
          consumed.add(index);
          return messages[index];
        },
        timeoutMs,
        'a matching message',
      ),
    waitForEvent: (predicate, timeoutMs = 10_000) => waitFor(() => events.find(predicate), timeoutMs, 'a matching listener event'),
    waitForStatus: (status, timeoutMs = 10_000) => waitFor(() => statuses.find((s) => s.status === status), timeoutMs, `status ${status}`),
    blocked: async () => (await request('blocked', {})).value as BlockedRequest[],
    dropSockets: async () => {
      await request('closeSockets', {});
    },
    logs: () => logText,
    kill: async () => {
      if (exited) return;
      child.kill('SIGKILL');
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([exitPromise, new Promise((resolve) => {
        timer = setTimeout(resolve, 5_000);
      })]).finally(() => clearTimeout(timer));
    },
  };
  live.add(client);
  installExitHook();
  liveChildren.add(child);
  void exitPromise.then(() => liveChildren.delete(child));
  try {
    let startTimer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      ready,
      new Promise((_resolve, reject) => {
        startTimer = setTimeout(() => reject(new Error(`${label}: child did not start`)), 15_000);
      }),
    ]).finally(() => clearTimeout(startTimer));
    const init = await request('init', {
      options: { version: options.version, appKey: options.appKey, navi: options.navi, localStorage: options.localStorage ?? {} },
    });
    if (!init.ok) throw new Error(`${label}: init failed: ${init.thrown ?? ''}\n${tail()}`);
  } catch (error) {
    await client.kill();
    throw error;
  }
  return client;
}
