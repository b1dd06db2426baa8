/**
 * The P2 peers, each in its own process like our server: `ws` = a bare `ws` WebSocketServer that
 * echoes each (heartbeat) message; `aedes` = aedes 1.2.0 on a plain TCP server (MQTT keepalive is
 * handled by aedes). Prints `listening on PORT` once ready, exits on SIGTERM.
 * Usage: node --import tsx bench/generators/p2-peer-server.ts ws|aedes
 */
import net from 'node:net';
import { WebSocketServer } from 'ws';
import { Aedes } from 'aedes';

async function main(kind: string | undefined): Promise<void> {
  if (kind === 'ws') {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, clientTracking: false, backlog: 4096 });
    wss.on('connection', (ws) => {
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      ws.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const address = wss.address();
    process.stdout.write(`listening on ${typeof address === 'string' || address === null ? String(address) : address.port}\n`);
    process.once('SIGTERM', () => process.exit(0));
    return;
  }
  if (kind === 'aedes') {
    const broker = await Aedes.createBroker();
    const server = net.createServer((socket) => broker.handle(socket));
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => resolve()));
    const address = server.address();
    process.stdout.write(`listening on ${typeof address === 'string' || address === null ? address : address.port}\n`);
    process.once('SIGTERM', () => process.exit(0));
    return;
  }
  throw new Error(`unknown peer "${String(kind)}" (ws or aedes)`);
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
