/**
 * Parent side of the official-client driver: forks official-client-child.cjs (one RongCloud SDK singleton per
 * process) and talks to it over IPC. Every wait is bounded; every launched child is tracked so that
 * `killAllOfficialClients()` in afterEach/afterAll can reap it even when a test failed half-way.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type {
  CallResult,
  ConnectResult,
  ConversationStatusChange,
  ExpansionEvent,
  MessageSpec,
  OfficialMessage,
} from './official-message';

export interface LaunchOptions {
  readonly appKey: string;
  /** Navi base URL, e.g. `http://127.0.0.1:8080` (passed as `init(appKey, null, { navi })`). */
  readonly navi: string;
  readonly connectionType?: 'websocket' | 'comet';
  /** Shown in logs/traces; defaults to `official-N`. */
  readonly label?: string;
  /** Seeds the child's localStorage (e.g. one taken with `storage()` to simulate a page reload). */
  readonly localStorage?: Readonly<Record<string, string>>;
  /** Default bound for call()/callSync(); connect() has its own. */
  readonly callTimeoutMs?: number;
  /** Echo child stderr (SDK logs, traces) to this process; defaults to LIANXIN_TRACE === '1'. */
  readonly echoLogs?: boolean;
  /**
   * Record HTTP requests and WebSocket frames (hex) into logs() even without LIANXIN_TRACE=1, so a test
   * can assert on wire evidence (e.g. the CONNACK status byte).
   */
  readonly trace?: boolean;
}

export interface ReceivedEvent {
  readonly message: OfficialMessage;
  readonly hasMore: boolean | undefined;
}

export interface OfficialClient {
  readonly label: string;
  readonly pid: number | undefined;
  /** Every status the connection status listener reported, in order. */
  readonly statuses: readonly number[];
  /** Every message the receive listener got, in order. */
  readonly messages: readonly OfficialMessage[];
  readonly received: readonly ReceivedEvent[];
  /** Every message-expansion listener call, in order. */
  readonly expansionEvents: readonly ExpansionEvent[];
  /** Every list the conversation status listener (multi-device top/DND sync) reported, in order. */
  readonly conversationStatusChanges: readonly (readonly ConversationStatusChange[])[];
  connect(token: string, timeoutMs?: number): Promise<ConnectResult>;
  /**
   * `RongIMClient.getInstance()[method](...args)` with an `{onSuccess,onError}` callback inserted at the
   * method's callback position (known methods) or at the `'$callback'` placeholder, else appended.
   * For sendMessage, `args[2]` may be a MessageSpec and is built into a message in the child.
   */
  call<T = unknown>(method: string, ...args: unknown[]): Promise<CallResult<T>>;
  /** Same, with an explicit bound. */
  callWithin<T = unknown>(timeoutMs: number, method: string, ...args: unknown[]): Promise<CallResult<T>>;
  /** Instance method without callback; its (awaited) return value. */
  callSync<T = unknown>(method: string, ...args: unknown[]): Promise<CallResult<T>>;
  /** Static `RongIMClient[method](...args)`. */
  callStatic<T = unknown>(method: string, ...args: unknown[]): Promise<CallResult<T>>;
  sendMessage(
    conversationType: number,
    targetId: string,
    message: MessageSpec,
    ...rest: unknown[]
  ): Promise<CallResult<OfficialMessage>>;
  sendText(conversationType: number, targetId: string, text: string): Promise<CallResult<OfficialMessage>>;
  /**
   * Resolves with the first received message matching `predicate` that no earlier nextMessage() returned
   * (messages that arrived before the call count), or rejects after `timeoutMs`.
   */
  nextMessage(predicate?: (message: OfficialMessage) => boolean, timeoutMs?: number): Promise<OfficialMessage>;
  /** Resolves with the first conversation-status change item matching `predicate` (now or earlier). */
  waitForConversationStatus(
    predicate: (change: ConversationStatusChange) => boolean,
    timeoutMs?: number,
  ): Promise<ConversationStatusChange>;
  /** Resolves with the first expansion event matching `predicate` (now or earlier). */
  waitForExpansion(predicate: (event: ExpansionEvent) => boolean, timeoutMs?: number): Promise<ExpansionEvent>;
  /** Resolves once the status listener has reported `status` (now or earlier), or rejects after `timeoutMs`. */
  waitForStatus(status: number, timeoutMs?: number): Promise<void>;
  /** Resolves after `quietMs` without any new message (bounded by `timeoutMs`). */
  settle(quietMs?: number, timeoutMs?: number): Promise<void>;
  /** Snapshot of the child's localStorage. */
  storage(): Promise<Record<string, string>>;
  /** Drops the child's sockets without a close handshake (network loss as seen by the server). */
  dropSockets(): Promise<void>;
  /** Child stderr so far (SDK warnings, traces with LIANXIN_TRACE=1). */
  logs(): string;
  /**
   * Resolves with logs() once they match `pattern`, or rejects after `timeoutMs`. The log lines come over the
   * child's stderr and a call's answer over its IPC channel: an answer may arrive before the lines it followed.
   */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  disconnect(): Promise<void>;
  kill(): Promise<void>;
}

const CHILD_SCRIPT = path.join(
  typeof __dirname === 'string' ? __dirname : path.resolve('test/support/official-client'),
  'official-client-child.cjs',
);
const DEFAULT_CALL_TIMEOUT_MS = 15_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 25_000;
const DEFAULT_WAIT_MS = 10_000;
const MAX_LOG_CHARS = 400_000;

const liveClients = new Set<OfficialClient>();
const liveChildren = new Set<ChildProcess>();
let launchedCount = 0;
let exitHookInstalled = false;

/** Last resort when a test process exits without cleanup: children must never outlive it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
  });
}

/** Kills every child launched by this process that is still alive. Safe to call repeatedly. */
export async function killAllOfficialClients(): Promise<void> {
  await Promise.all([...liveClients].map((c) => c.kill()));
}

type ChildEvent =
  | { readonly type: 'ready' }
  | { readonly type: 'reply'; readonly id: number; readonly result: unknown }
  | { readonly type: 'status'; readonly status: number }
  | { readonly type: 'message'; readonly message: OfficialMessage; readonly hasMore?: boolean }
  | { readonly type: 'conversationStatus'; readonly list: readonly ConversationStatusChange[] }
  | ({ readonly type: 'expansion' } & ExpansionEvent);

interface Waiter {
  readonly check: () => boolean;
}

export async function launchOfficialClient(options: LaunchOptions): Promise<OfficialClient> {
  launchedCount += 1;
  const label = options.label ?? `official-${launchedCount}`;
  const echo = options.echoLogs ?? process.env.LIANXIN_TRACE === '1';
  const callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const child: ChildProcess = fork(CHILD_SCRIPT, [], {
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: {
      ...process.env,
      LIANXIN_CLIENT_LABEL: label,
      ...(options.trace === true ? { LIANXIN_TRACE: '1' } : {}),
    },
    // 'advanced' keeps `undefined` in positional arguments (JSON would turn it into null).
    serialization: 'advanced',
  });
  installExitHook();
  liveChildren.add(child);

  let logText = '';
  const appendLog = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    logText = (logText + text).slice(-MAX_LOG_CHARS);
    if (echo) process.stderr.write(text);
  };
  child.stdout?.on('data', appendLog);
  child.stderr?.on('data', appendLog);

  const statuses: number[] = [];
  const received: ReceivedEvent[] = [];
  const messages: OfficialMessage[] = [];
  const conversationStatusChanges: (readonly ConversationStatusChange[])[] = [];
  const expansionEvents: ExpansionEvent[] = [];
  const consumed = new Set<number>();
  const pending = new Map<number, (result: unknown) => void>();
  const waiters = new Set<Waiter>();
  let nextId = 1;
  let exited = false;
  let lastMessageAt = Date.now();

  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      liveClients.delete(client);
      liveChildren.delete(child);
      for (const resolvePending of pending.values()) resolvePending({ ok: false, kind: 'error', code: undefined, args: [], thrown: 'child exited' });
      pending.clear();
      resolve();
    });
  });
  const notify = (): void => {
    for (const w of [...waiters]) w.check();
  };

  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.on('message', (raw: unknown) => {
    const event = raw as ChildEvent;
    switch (event.type) {
      case 'ready':
        markReady();
        break;
      case 'reply': {
        const resolveReply = pending.get(event.id);
        pending.delete(event.id);
        resolveReply?.(event.result);
        break;
      }
      case 'status':
        statuses.push(event.status);
        notify();
        break;
      case 'conversationStatus':
        conversationStatusChanges.push(event.list);
        notify();
        break;
      case 'expansion':
        expansionEvents.push({ kind: event.kind, info: event.info });
        notify();
        break;
      case 'message':
        received.push({ message: event.message, hasMore: event.hasMore });
        messages.push(event.message);
        lastMessageAt = Date.now();
        notify();
        break;
      default:
        break;
    }
  });

  const request = (op: string, fields: Record<string, unknown>, timeoutMs: number): Promise<unknown> => {
    if (exited) return Promise.reject(new Error(`${label}: child process has exited\n${tail(logText)}`));
    const id = nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${label}: ${op} ${String(fields.method ?? '')} got no answer within ${timeoutMs} ms\n${tail(logText)}`));
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
      const waiter: Waiter = {
        check: () => {
          const found = probe();
          if (found === undefined) return false;
          cleanup();
          resolve(found);
          return true;
        },
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${label}: timed out after ${timeoutMs} ms waiting for ${what}; statuses=${JSON.stringify(statuses)}, ${messages.length} messages\n${tail(logText)}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(waiter);
      };
      waiters.add(waiter);
      waiter.check();
    });

  const call = <T>(timeoutMs: number, op: string, method: string, args: unknown[]): Promise<CallResult<T>> =>
    request(op, { method, args }, timeoutMs) as Promise<CallResult<T>>;

  const client: OfficialClient = {
    label,
    pid: child.pid,
    statuses,
    messages,
    received,
    conversationStatusChanges,
    expansionEvents,
    connect: (token, timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS) =>
      request('connect', { token }, timeoutMs) as Promise<ConnectResult>,
    call: (method, ...args) => call(callTimeoutMs, 'call', method, args),
    callWithin: (timeoutMs, method, ...args) => call(timeoutMs, 'call', method, args),
    callSync: (method, ...args) => call(callTimeoutMs, 'callSync', method, args),
    callStatic: (method, ...args) => call(callTimeoutMs, 'callStatic', method, args),
    sendMessage: (conversationType, targetId, message, ...rest) =>
      call(callTimeoutMs, 'call', 'sendMessage', [conversationType, targetId, message, ...rest]),
    sendText: (conversationType, targetId, text) =>
      call(callTimeoutMs, 'call', 'sendMessage', [
        conversationType,
        targetId,
        { className: 'TextMessage', content: { content: text } } satisfies MessageSpec,
      ]),
    nextMessage: (predicate = () => true, timeoutMs = DEFAULT_WAIT_MS) =>
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
    waitForConversationStatus: (predicate, timeoutMs = DEFAULT_WAIT_MS) =>
      waitFor(() => conversationStatusChanges.flat().find(predicate), timeoutMs, 'a matching conversation status change'),
    waitForExpansion: (predicate, timeoutMs = DEFAULT_WAIT_MS) =>
      waitFor(() => expansionEvents.find(predicate), timeoutMs, 'a matching expansion event'),
    waitForStatus: (status, timeoutMs = DEFAULT_WAIT_MS) =>
      waitFor(() => (statuses.includes(status) ? true : undefined), timeoutMs, `status ${status}`).then(
        () => undefined,
      ),
    settle: async (quietMs = 500, timeoutMs = DEFAULT_WAIT_MS) => {
      const deadline = Date.now() + timeoutMs;
      lastMessageAt = Math.max(lastMessageAt, Date.now());
      while (Date.now() - lastMessageAt < quietMs && Date.now() < deadline) {
        await delay(Math.min(100, quietMs));
      }
    },
    storage: async () => {
      const result = (await request('storage', {}, callTimeoutMs)) as CallResult<Record<string, string>>;
      return result.ok ? result.value : {};
    },
    dropSockets: async () => {
      await request('closeSockets', {}, callTimeoutMs);
    },
    logs: () => logText,
    waitForLog: async (pattern, timeoutMs = DEFAULT_WAIT_MS) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(logText)) {
        if (Date.now() >= deadline) throw new Error(`${label}: no log line matched ${String(pattern)} within ${timeoutMs} ms\n${logText.slice(-4000)}`);
        await delay(20);
      }
      return logText;
    },
    disconnect: async () => {
      const result = (await request('disconnect', {}, callTimeoutMs)) as CallResult;
      if (!result.ok) throw new Error(`${label}: disconnect failed: ${JSON.stringify(result)}`);
    },
    kill: async () => {
      if (exited) return;
      child.kill('SIGKILL');
      await withTimeout(exitPromise, 5_000, `${label}: child did not exit after SIGKILL`).catch(() => undefined);
    },
  };
  liveClients.add(client);

  try {
    await withTimeout(ready, 15_000, `${label}: child did not start`);
    const initResult = (await request('init', {
      options: {
        appKey: options.appKey,
        navi: options.navi,
        connectionType: options.connectionType ?? 'websocket',
        localStorage: options.localStorage ?? {},
      },
    }, callTimeoutMs)) as CallResult;
    if (!initResult.ok) throw new Error(`${label}: init failed: ${JSON.stringify(initResult)}\n${tail(logText)}`);
  } catch (error) {
    await client.kill();
    throw error;
  }
  return client;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

function tail(text: string, chars = 4_000): string {
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}
