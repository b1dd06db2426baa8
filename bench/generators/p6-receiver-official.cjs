'use strict';
/**
 * P6 receiver: the OFFICIAL client (@rongcloud/imlib-v2 2.9.2 on @rongcloud/engine 4.4.2, loaded
 * unmodified) on the browser host shims the interop tests use (test/support/official-client/
 * browser-globals.cjs: window, Web Storage, XMLHttpRequest on node:http, WebSocket from `ws`).
 * Counts messages at `setOnReceiveMessageListener`. IPC protocol: p6-receiver-protocol.ts.
 */
const path = require('node:path');
const { installBrowserGlobals } = require(path.join(__dirname, '..', '..', 'test', 'support', 'official-client', 'browser-globals.cjs'));

function send(message) {
  if (process.connected) process.send(message);
}

let RongIMLib = null;
let received = 0;
let expected = Number.POSITIVE_INFINITY;
let cpu0 = process.cpuUsage();
let t0 = 0;

process.on('message', (message) => {
  if (message.type === 'init') {
    installBrowserGlobals(undefined);
    RongIMLib = require('@rongcloud/imlib-v2');
    const client = RongIMLib.RongIMClient;
    client.init(message.config.appKey, null, {
      navi: message.config.url,
      connectionType: 'websocket',
      logLevel: 4,
      logStdout: () => undefined,
    });
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
    try {
      RongIMLib.RongIMClient.getInstance().disconnect();
    } catch {
      // exiting anyway
    }
    setTimeout(() => process.exit(0), 50);
  }
});
