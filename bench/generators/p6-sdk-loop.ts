/**
 * P6 companion: the SDK's own receive path in one process, without a server, a socket or the kernel.
 * Our SDK (public v2 API, Node adapter with a scripted socket) is connected, then fed pre-encoded
 * `s_msg` frames (the server's direct push, qos 0) as its socket would hand them over: one
 * `onMessage` per frame, `--batch` frames per event-loop turn (so write-behind timers and microtasks
 * run as they would). Figure = main-thread time per message from frame bytes to the
 * `setOnReceiveMessageListener` call (frame + protobuf decode, dedupe, unread/latest bookkeeping and
 * their persistence, v2 Message construction, dispatch). Repeated `--reps` times on fresh users;
 * reports every rep and the median, in µs per message.
 *
 * It isolates the SDK's own code from `ws`, the kernel and the other processes of the shared machine.
 * Caveat (bench/analysis/p6-receive-cost.md, Round 4): hot in a loop the SDK costs ≈ 12–16 µs per
 * message, while in P6 (one message per event-loop turn every few ms, caches cold) the same work is
 * ≈ 5× that, so use it to find allocations and hot spots, and P6 itself to judge a change.
 * `npx esbuild bench/generators/p6-sdk-loop.ts --bundle --platform=node --format=esm --external:ws
 *  --outfile=node_modules/.cache/p6-sdk-loop.mjs && node node_modules/.cache/p6-sdk-loop.mjs --messages 3000 --warmup 500 --reps 9 --batch 1`
 * (the bundle must sit under the repo so `ws` resolves).
 */
import { createRongIMLib } from '../../src/index';
import { createNodeAdapter } from '../../platforms/node/node-adapter';
import { decodeFrame, encodeByName, encodeFrame, encodeUtf8 } from '../../src/internal';
import type { PlatformAdapter, SocketHandlers } from '../../src/platform/platform-adapter';

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? Number.NaN : Number(process.argv[at + 1]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const MESSAGES = flag('messages', 20_000);
const REPS = flag('reps', 7);
const BATCH = flag('batch', 8);
const WARMUP = flag('warmup', 5_000);

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A socket the loop writes server frames into; client frames are answered like an idle server would. */
function scriptedAdapter(): { adapter: PlatformAdapter; feed: () => SocketHandlers | undefined } {
  const base = createNodeAdapter();
  let handlers: SocketHandlers | undefined;
  const reply = (bytes: Uint8Array): void => handlers?.onMessage(bytes);
  const adapter: PlatformAdapter = {
    ...base,
    openSocket: (_url, h) => {
      handlers = h;
      // The WebSocket carries the token in its URL: the server answers the open with a CONNACK.
      setImmediate(() => {
        h.onOpen();
        reply(encodeFrame({ kind: 'connack', dup: false, qos: 0, retain: false, status: 0, userId: 'me', sessionId: 's1', timestamp: Date.now() }, 'server'));
      });
      return {
        send: (data) => {
          const frame = decodeFrame(data, 'client');
          if (frame.kind === 'query') {
            // Every query answered as by a server with nothing stored: an empty, finished page.
            const payload = frame.topic === 'pullMsg' ? encodeByName('DownStreamMessages', { list: [], syncTime: 0, finished: true }) : new Uint8Array(0);
            setImmediate(() => reply(encodeFrame({ kind: 'queryack', dup: false, qos: 0, retain: false, messageId: frame.messageId, date: 0, status: 0, payload }, 'server')));
          }
        },
        close: () => undefined,
      };
    },
    request: (request) => {
      const navi = 'getServerEndpoint({"code":200,"server":"scripted:1","backupServer":""});';
      const text = new URL(request.url).pathname === '/navi.js' ? navi : '';
      const body = request.responseType === 'bytes' ? encodeUtf8(text) : text;
      return { response: Promise.resolve({ status: 200, headers: {}, body }), abort: () => undefined };
    },
  };
  return { adapter, feed: () => handlers };
}

function frames(count: number, tag: string, t0: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const content = encodeUtf8(JSON.stringify({ content: `p6 ${tag} message ${i}: a short chat line of about sixty characters`, extra: String(i) }));
    const payload = encodeByName('DownStreamMessage', { fromUserId: 'sender', type: 1, classname: 'RC:TxtMsg', content, dataTime: t0 + i, status: 16 | 32, msgId: `${tag}-${i.toString(36).padStart(4, '0')}-LX00-0000` });
    out.push(encodeFrame({ kind: 'publish', dup: false, qos: 0, retain: false, date: Math.floor((t0 + i) / 1000), topic: 's_msg', targetId: 'me', messageId: 0, payload }, 'server'));
  }
  return out;
}

async function oneRep(rep: number): Promise<number> {
  const { adapter, feed } = scriptedAdapter();
  const client = createRongIMLib(adapter).RongIMClient;
  client.init(`loop${rep}`, null, { navi: 'http://scripted:1' });
  client.setConnectionStatusListener({ onChanged: () => undefined });
  let received = 0;
  client.setOnReceiveMessageListener({ onReceived: () => void (received += 1) });
  await new Promise<void>((resolve, reject) =>
    client.connect('token', { onSuccess: () => resolve(), onTokenIncorrect: () => reject(new Error('token')), onError: (code) => reject(new Error(`connect ${code}`)) }),
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  const handlers = feed();
  if (handlers === undefined) throw new Error('no socket');
  const t0 = Date.now() + 1000;
  const run = async (list: readonly Uint8Array[]): Promise<number> => {
    let busy = 0;
    for (let i = 0; i < list.length; i += BATCH) {
      const start = performance.now();
      for (let j = i; j < i + BATCH && j < list.length; j++) handlers.onMessage(list[j] as Uint8Array);
      busy += performance.now() - start;
      await turn();
    }
    return busy;
  };
  await run(frames(WARMUP, `w${rep}`, t0));
  const measured = frames(MESSAGES, `m${rep}`, t0 + WARMUP);
  const before = received;
  // The figure is process CPU: it includes the write-behind timers and microtasks run between turns,
  // which the onMessage time (`busy`) leaves out.
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const busy = await run(measured);
  const wall = performance.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  if (received - before !== MESSAGES) throw new Error(`received ${received - before} of ${MESSAGES}`);
  client.getInstance().disconnect();
  const perMessage = (cpu.user + cpu.system) / MESSAGES;
  console.log(`rep ${rep + 1}: ${perMessage.toFixed(2)} µs/msg process CPU, ${((busy * 1000) / MESSAGES).toFixed(2)} µs/msg in onMessage, wall ${wall.toFixed(0)} ms`);
  return perMessage;
}

const results: number[] = [];
for (let rep = 0; rep < REPS; rep++) results.push(await oneRep(rep));
results.sort((a, b) => a - b);
console.log(`median ${results[Math.floor(results.length / 2)]?.toFixed(2)} µs/msg (min ${results[0]?.toFixed(2)}, max ${results[results.length - 1]?.toFixed(2)}) over ${REPS} reps of ${MESSAGES}`);
process.exit(0);
