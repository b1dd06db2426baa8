/**
 * Peer for P3: a raw `ws` broadcast — the runtime's ceiling for a room. Clients connect to `/?room=<id>`;
 * every binary message a client sends is sent as-is to every other client of the room, one `ws.send`
 * per client (the broadcast loop of the `ws` documentation). No protocol, no storage, no acks.
 * Prints `listening <port>`.
 */
import { WebSocketServer, type WebSocket } from 'ws';

function main(): void {
  const rooms = new Map<string, Set<WebSocket>>();
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, clientTracking: false });
  server.on('connection', (ws, request) => {
    const roomId = new URL(request.url ?? '/', 'http://peer').searchParams.get('room') ?? '';
    let room = rooms.get(roomId);
    if (room === undefined) {
      room = new Set();
      rooms.set(roomId, room);
    }
    const members = room;
    members.add(ws);
    ws.on('close', () => members.delete(ws));
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      for (const member of members) if (member !== ws && member.readyState === member.OPEN) member.send(data, { binary: isBinary });
    });
  });
  server.on('listening', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('ws broadcast: no TCP address');
    process.stdout.write(`listening ${address.port}\n`);
  });
  process.once('SIGTERM', () => {
    for (const members of rooms.values()) for (const ws of members) ws.terminate();
    server.close(() => process.exit(0));
  });
}

main();
