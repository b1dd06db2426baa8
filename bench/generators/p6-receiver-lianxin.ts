/**
 * P6 receiver: OUR SDK (public v2 API, Node adapter) connected as one user; counts messages at the
 * `setOnReceiveMessageListener` listener. See p6-receiver-protocol.ts for the IPC protocol.
 */
import { createRongIMLib } from '../../src/index';
import { createNodeAdapter } from '../../platforms/node/node-adapter';
import type { P6ChildMessage, P6ParentMessage } from './p6-receiver-protocol';

function send(message: P6ChildMessage): void {
  process.send?.(message);
}

const lib = createRongIMLib(createNodeAdapter());
const client = lib.RongIMClient;
let received = 0;
let expected = Number.POSITIVE_INFINITY;
let cpu0 = process.cpuUsage();
let t0 = 0;

process.on('message', (raw) => {
  const message = raw as P6ParentMessage;
  if (message.type === 'init') {
    client.init(message.config.appKey, null, { navi: message.config.url });
    client.setConnectionStatusListener({ onChanged: () => undefined });
    client.setOnReceiveMessageListener({
      onReceived: () => {
        received += 1;
        if (received === expected) {
          const cpu = process.cpuUsage(cpu0);
          expected = Number.POSITIVE_INFINITY;
          send({ type: 'done', received, cpuMicros: cpu.user + cpu.system, wallMs: performance.now() - t0 });
        }
      },
    });
    client.connect(message.config.token, {
      onSuccess: () => send({ type: 'ready' }),
      onTokenIncorrect: () => send({ type: 'error', message: 'token incorrect' }),
      onError: (code) => send({ type: 'error', message: `connect error ${code}` }),
    });
  } else if (message.type === 'expect') {
    received = 0;
    expected = message.count;
    t0 = performance.now();
    cpu0 = process.cpuUsage();
  } else {
    client.getInstance().disconnect();
    setTimeout(() => process.exit(0), 50);
  }
});
