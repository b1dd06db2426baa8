import { createWebSocketTransport, webSocketUrl } from '../../../src/transport/websocket-transport';
import type { CloseReason, Endpoint } from '../../../src/transport/transport';
import type { Frame } from '../../../src/protocol/frame';
import { F, FakeHost } from '../client/fake-host';

const ENDPOINT: Endpoint = { host: 'h.test:9000', secure: false, appKey: 'app', token: 'a/b+c@', sdkVersion: '2.9.2', lianxinVersion: '1.0.0' };

function setup() {
  const host = new FakeHost();
  const log: string[] = [];
  const frames: Frame[] = [];
  const closes: CloseReason[] = [];
  const transport = createWebSocketTransport(
    ENDPOINT,
    {
      onOpen: () => log.push('open'),
      onFrames: (fs) => frames.push(...fs),
      onClose: (r) => closes.push(r),
    },
    host.adapter,
  );
  return { host, log, frames, closes, transport, socket: host.lastSocket };
}

describe('WebSocket transport', () => {
  it('builds the E4-shaped URL with our own version appended', () => {
    expect(webSocketUrl(ENDPOINT)).toBe('ws://h.test:9000/websocket?appId=app&token=a%2Fb%2Bc%40&sdkVer=2.9.2&apiVer=normal&lianxin=1.0.0&directPush=1');
    expect(webSocketUrl({ ...ENDPOINT, secure: true }).startsWith('wss://h.test:9000/websocket?')).toBe(true);
  });

  it('decodes one frame per message, drops undecodable ones, encodes what it sends', () => {
    const { socket, log, frames, transport } = setup();
    transport.send({ kind: 'pingreq', dup: false, qos: 0, retain: false }); // before open: dropped
    socket.open();
    socket.deliver(F.connack(0));
    socket.deliverRaw(F.pingresp());
    (socket as unknown as { handlers: { onMessage(d: Uint8Array): void } }).handlers.onMessage(Uint8Array.of(0x90)); // SUBACK: never valid
    transport.send({ kind: 'pingreq', dup: false, qos: 0, retain: false });
    expect(log).toEqual(['open']);
    expect(frames.map((f) => f.kind)).toEqual(['connack', 'pingresp']);
    expect(socket.kinds()).toEqual(['pingreq']);
  });

  it('reports the socket close once; a local close reports "local" and closes the socket', () => {
    const a = setup();
    a.socket.open();
    a.socket.serverClose(4001, 'bye');
    a.transport.close();
    expect(a.closes).toEqual([{ kind: 'socket-closed', code: 4001, reason: 'bye' }]);

    const b = setup();
    b.socket.open();
    b.transport.close();
    b.transport.close();
    expect(b.closes).toEqual([{ kind: 'local' }]);
    expect(b.socket.closedByClient).toBe(true);
    b.socket.deliverRaw(F.pingresp());
    expect(b.frames).toEqual([]);
  });
});
