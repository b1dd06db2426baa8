/**
 * Peer for P3: a socket.io 4.8.4 room broadcast, as a socket.io app would write it. A client connects
 * with `?room=<id>` over the WebSocket transport, emits `join` (acknowledged once it is in the room);
 * every `m` event (one binary attachment) is re-emitted to the rest of the room with
 * `socket.to(room).emit('m', bytes)` (socket.io encodes the packet once per broadcast). Prints
 * `listening <port>`.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

function main(): void {
  const http = createServer();
  const io = new Server(http, { serveClient: false, transports: ['websocket'], perMessageDeflate: false, maxHttpBufferSize: 1e6 });
  io.on('connection', (socket) => {
    const room = String(socket.handshake.query['room'] ?? '');
    socket.on('join', (ack: () => void) => {
      void Promise.resolve(socket.join(room)).then(() => ack());
    });
    socket.on('m', (bytes: Buffer) => {
      socket.to(room).emit('m', bytes);
    });
  });
  http.listen(0, '127.0.0.1', () => {
    const address = http.address();
    if (address === null || typeof address === 'string') throw new Error('socket.io peer: no TCP address');
    process.stdout.write(`listening ${address.port}\n`);
  });
  process.once('SIGTERM', () => {
    io.disconnectSockets(true);
    void io.close(() => process.exit(0));
  });
}

main();
