/**
 * P6 floor: a thin protocol client (bench/lib/thin-client.ts: `ws`, our frame codec, the E4 pull loop,
 * no SDK) receiving the same stream. Its CPU per message is what any client on this machine pays for
 * the socket, the frames and the sync round trips, before doing anything with the messages. With
 * `config.direct` it connects as our SDK does (`directPush=1`): stored messages arrive as `s_msg` with no
 * round trip, which is the floor under our SDK's figure.
 * IPC protocol: p6-receiver-protocol.ts.
 */
import { InboxPuller, ThinClient } from '../lib/thin-client';
import type { P6ChildMessage, P6ParentMessage } from './p6-receiver-protocol';

function send(message: P6ChildMessage): void {
  process.send?.(message);
}

let client: ThinClient | undefined;
let received = 0;
let expected = Number.POSITIVE_INFINITY;
let cpu0 = process.cpuUsage();
let t0 = 0;

process.on('message', (raw) => {
  const message = raw as P6ParentMessage;
  if (message.type === 'init') {
    const direct = message.config.direct === true;
    ThinClient.connect({ url: message.config.url, appKey: message.config.appKey, token: message.config.token, ...(direct ? { lianxin: 'p6-floor' } : {}) }).then(
      (connected) => {
        client = connected;
        const puller = new InboxPuller(connected, (messages) => {
          received += messages.length;
          if (received >= expected) {
            const cpu = process.cpuUsage(cpu0);
            expected = Number.POSITIVE_INFINITY;
            send({ type: 'done', received, cpuMicros: cpu.user + cpu.system, wallMs: performance.now() - t0 });
          }
        }, direct);
        puller.pull();
        send({ type: 'ready' });
      },
      (error: unknown) => send({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
  } else if (message.type === 'expect') {
    received = 0;
    expected = message.count;
    t0 = performance.now();
    cpu0 = process.cpuUsage();
  } else {
    void client?.close();
    setTimeout(() => process.exit(0), 50);
  }
});
