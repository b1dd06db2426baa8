/**
 * Load for the cluster fault tests: SDK users (our SDK on the Node adapter) connected through the
 * balancer send private messages around a ring, each user one at a time (the next send after the
 * previous one's PUBACK), so acked order is per-conversation order. `verify` then counts, per
 * conversation: sent, acked, delivered (acked and received), lost (acked, never received), duplicated
 * (received more than once) and reordered (received after a later acked message of the same sender).
 */
import { TextMessage, type Message } from '../../../../src/index';
import { call, sdkUser, type SdkUser } from '../../../../test/e2e/sdk-api-support';
import type { RunningServer, TestApp } from '../../../../test/support/server-launcher';

export interface LoadStats {
  sent: number;
  acked: number;
  delivered: number;
  lost: number;
  duplicated: number;
  reordered: number;
  /** Received though never acked (stored, but the PUBACK was lost with its node): allowed. */
  unackedDelivered: number;
}

export interface RingLoad {
  readonly users: readonly SdkUser[];
  /** Starts sending; `stop` ends the loops and resolves when every loop has stopped. */
  start(): void;
  stop(): Promise<void>;
  /** Acked messages so far (all senders). */
  acked(): number;
  /** Received messages so far (all users). */
  received(): number;
  /** One more message to each user (after recovery: its notification makes laggards pull). */
  nudge(): Promise<void>;
  /** Waits (bounded) until every acked message has been received, then counts. */
  verify(timeoutMs?: number): Promise<LoadStats>;
  disconnect(): void;
}

interface Sent {
  readonly seq: number;
  readonly uid: string;
}

const PREFIX = 'ring:';

function parse(message: Message): { from: string; seq: number } | undefined {
  const text = (message.content as { content?: unknown } | undefined)?.content;
  if (typeof text !== 'string' || !text.startsWith(PREFIX)) return undefined;
  const [, from, seq] = text.split(':');
  return from === undefined || seq === undefined ? undefined : { from, seq: Number(seq) };
}

export async function ringLoad(server: RunningServer, app: TestApp, count: number, pauseMs = 10): Promise<RingLoad> {
  const users: SdkUser[] = [];
  for (let i = 0; i < count; i++) {
    const user = await sdkUser(server, app, `ring${i}`);
    await user.connect();
    users.push(user);
  }
  const sent = new Map<string, Sent[]>();
  let attempts = 0;
  let running = false;
  let loops: Promise<void>[] = [];

  const sendOne = async (from: SdkUser, to: SdkUser, seq: number): Promise<void> => {
    attempts += 1;
    let result;
    try {
      result = await call<Message>((cb) => from.im.sendMessage(1, to.userId, new TextMessage({ content: `${PREFIX}${from.userId}:${seq}` }), cb), 10_000);
    } catch {
      return;
    }
    if (!result.ok) return;
    const key = `${from.userId}>${to.userId}`;
    const list = sent.get(key) ?? [];
    list.push({ seq, uid: result.value.messageUId ?? '' });
    sent.set(key, list);
  };

  const loop = async (i: number): Promise<void> => {
    const from = users[i] as SdkUser;
    const to = users[(i + 1) % users.length] as SdkUser;
    let seq = 0;
    while (running) {
      await sendOne(from, to, seq++);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };

  const count_ = (): { acked: number } => ({ acked: [...sent.values()].reduce((n, l) => n + l.length, 0) });

  const stats = (): LoadStats & { missing: number } => {
    const out = { sent: attempts, acked: 0, delivered: 0, lost: 0, duplicated: 0, reordered: 0, unackedDelivered: 0, missing: 0 };
    users.forEach((to, i) => {
      const from = users[(i - 1 + users.length) % users.length] as SdkUser;
      const acked = sent.get(`${from.userId}>${to.userId}`) ?? [];
      const ackedSeqs = new Set(acked.map((s) => s.seq));
      const got = to.received.map((r) => ({ parsed: parse(r.message), uid: r.message.messageUId ?? '' })).filter((r) => r.parsed?.from === from.userId);
      const seen = new Map<number, number>();
      let last = -1;
      for (const r of got) {
        const seq = r.parsed?.seq ?? -1;
        seen.set(seq, (seen.get(seq) ?? 0) + 1);
        if (!ackedSeqs.has(seq)) continue;
        if (seq < last) out.reordered += 1;
        last = Math.max(last, seq);
      }
      out.acked += acked.length;
      for (const s of acked) {
        const n = seen.get(s.seq) ?? 0;
        if (n === 0) out.lost += 1;
        else out.delivered += 1;
      }
      for (const [seq, n] of seen) {
        if (n > 1) out.duplicated += n - 1;
        if (!ackedSeqs.has(seq)) out.unackedDelivered += 1;
      }
    });
    out.missing = out.lost;
    return out;
  };

  return {
    users,
    start: () => {
      running = true;
      loops = users.map((_u, i) => loop(i));
    },
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
    acked: () => count_().acked,
    received: () => users.reduce((n, u) => n + u.received.filter((r) => parse(r.message) !== undefined).length, 0),
    nudge: async () => {
      await Promise.all(users.map((u, i) => call<Message>((cb) => u.im.sendMessage(1, (users[(i + 2) % users.length] as SdkUser).userId, new TextMessage({ content: 'nudge' }), cb), 10_000).catch(() => undefined)));
    },
    verify: async (timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      let current = stats();
      while (current.missing > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        current = stats();
      }
      const { missing: _missing, ...result } = current;
      return result;
    },
    disconnect: () => {
      for (const u of users) u.im.disconnect();
    },
  };
}

export function printStats(what: string, stats: LoadStats): void {
  process.stderr.write(`[cluster fault] ${what}: sent=${stats.sent} acked=${stats.acked} delivered=${stats.delivered} lost=${stats.lost} duplicated=${stats.duplicated} reordered=${stats.reordered} unacked-delivered=${stats.unackedDelivered}\n`);
}
