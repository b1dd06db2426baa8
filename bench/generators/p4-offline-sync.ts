/**
 * P4 generator: the receiver connects once with OUR SDK (public v2 API, Node adapter) and disconnects;
 * a thin client then stores `pending` private messages for it (PUBACKed, i.e. committed); the SDK
 * reconnects (`RongIMClient.reconnect`) and we time reconnect → the last message at the listener.
 */
import { encodeByName, encodeUtf8 } from '../../src/internal';
import { createRongIMLib } from '../../src/index';
import { createNodeAdapter } from '../../platforms/node/node-adapter';
import { generatorMain } from '../lib/generator';
import type { BenchUser } from '../lib/bench-server';
import { ThinClient } from '../lib/thin-client';

export interface P4Config {
  readonly url: string;
  readonly appKey: string;
  readonly sender: BenchUser;
  readonly receiver: BenchUser;
  readonly pending: number;
  readonly window: number;
  readonly timeoutMs: number;
}

export interface P4Result {
  readonly seedPerSecond: number;
  readonly connectMs: number;
  readonly allDeliveredMs: number;
  readonly firstMessageMs: number;
  readonly received: number;
  readonly distinct: number;
  readonly inOrder: boolean;
  readonly generatorCpuSeconds: number;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

async function seed(config: P4Config): Promise<number> {
  const sender = await ThinClient.connect({ url: config.url, appKey: config.appKey, token: config.sender.token });
  const t0 = performance.now();
  let next = 0;
  let refused = 0;
  const lane = async (): Promise<void> => {
    while (next < config.pending) {
      const seq = next++;
      const content = encodeUtf8(JSON.stringify({ content: `offline ${seq}`, extra: String(seq) }));
      const ack = await sender.publish('ppMsgP', config.receiver.userId, encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content, configFlag: 0 }));
      if (ack.status !== 0) refused += 1;
    }
  };
  await withTimeout(Promise.all(Array.from({ length: config.window }, lane)), config.timeoutMs, 'seeding');
  const seconds = (performance.now() - t0) / 1000;
  await sender.close();
  if (refused > 0) throw new Error(`${refused} seed messages were refused`);
  return config.pending / seconds;
}

async function main(config: P4Config): Promise<P4Result> {
  const lib = createRongIMLib(createNodeAdapter());
  const client = lib.RongIMClient;
  client.init(config.appKey, null, { navi: config.url });
  const sequence: number[] = [];
  let lastAt = 0;
  let firstAt = 0;
  let onAll: (() => void) | undefined;
  client.setOnReceiveMessageListener({
    onReceived: (message) => {
      const content = message.content as { extra?: unknown };
      sequence.push(Number(content.extra));
      lastAt = performance.now();
      if (firstAt === 0) firstAt = lastAt;
      if (sequence.length === config.pending) onAll?.();
    },
  });
  const connected = (start: (callbacks: { onSuccess: () => void; onError: (code: number) => void; onTokenIncorrect: () => void }) => unknown): Promise<void> =>
    withTimeout(
      new Promise<void>((resolve, reject) => {
        start({ onSuccess: () => resolve(), onError: (code) => reject(new Error(`connect error ${code}`)), onTokenIncorrect: () => reject(new Error('token incorrect')) });
      }),
      config.timeoutMs,
      'connect',
    );

  await connected((callbacks) => client.connect(config.receiver.token, callbacks));
  client.getInstance().disconnect();
  const seedPerSecond = await seed(config);

  const cpu0 = process.cpuUsage();
  const all = new Promise<void>((resolve) => {
    onAll = resolve;
  });
  const t0 = performance.now();
  await connected((callbacks) => client.reconnect(callbacks));
  const connectMs = performance.now() - t0;
  await withTimeout(all, config.timeoutMs, `receiving ${config.pending} messages (got ${sequence.length})`);
  const allDeliveredMs = lastAt - t0;
  const cpu = process.cpuUsage(cpu0);
  client.getInstance().disconnect();
  let inOrder = true;
  for (let i = 1; i < sequence.length; i++) if ((sequence[i] as number) < (sequence[i - 1] as number)) inOrder = false;
  return {
    seedPerSecond,
    connectMs,
    allDeliveredMs,
    firstMessageMs: firstAt - t0,
    received: sequence.length,
    distinct: new Set(sequence).size,
    inOrder,
    generatorCpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

generatorMain(main);
