/**
 * Peer for P1: the runtime's ceiling — a raw `ws` request/ack relay with no persistence and no protocol
 * beyond the minimum. A client connects to `/?id=<name>`; a request frame is
 * `[1][u32 request id][u16 target length][target utf8][payload]`; the relay forwards `[2][payload]` to the
 * target's connection (if connected) and answers the sender `[3][u32 request id]`. Plain `ws.send` per
 * frame, as a straightforward relay would. Prints `listening <port>`.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { RELAY_ACK, RELAY_DELIVERY, RELAY_REQUEST } from './ws-relay-protocol';

function main(): void {
  const clients = new Map<string, WebSocket>();
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  server.on('connection', (ws, request) => {
    const id = new URL(request.url ?? '/', 'http://relay').searchParams.get('id') ?? '';
    clients.set(id, ws);
    ws.on('close', () => {
      if (clients.get(id) === ws) clients.delete(id);
    });
    ws.on('message', (data: Buffer) => {
      if (data.length < 7 || data[0] !== RELAY_REQUEST) return;
      const targetLength = data.readUInt16BE(5);
      const target = data.toString('utf8', 7, 7 + targetLength);
      const delivery = Buffer.allocUnsafe(1 + data.length - 7 - targetLength);
      delivery[0] = RELAY_DELIVERY;
      data.copy(delivery, 1, 7 + targetLength);
      clients.get(target)?.send(delivery);
      const ack = Buffer.allocUnsafe(5);
      ack[0] = RELAY_ACK;
      data.copy(ack, 1, 1, 5);
      ws.send(ack);
    });
  });
  server.on('listening', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('ws relay: no TCP address');
    process.stdout.write(`listening ${address.port}\n`);
  });
  process.once('SIGTERM', () => {
    for (const ws of clients.values()) ws.terminate();
    server.close(() => process.exit(0));
  });
}

main();
