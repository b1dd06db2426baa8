/**
 * Peer for P1: an `aedes` MQTT broker over TCP with default options (in-memory persistence), so QoS 1
 * means "acked by the broker, redelivered to a connected subscriber until it acks", nothing on disk.
 * `node --import tsx bench/peers/aedes-server.ts` prints `listening <port>`.
 */
import net from 'node:net';
import { Aedes } from 'aedes';

async function main(): Promise<void> {
  const broker = await Aedes.createBroker();
  const server = net.createServer((socket) => broker.handle(socket));
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('aedes peer: no TCP address');
    process.stdout.write(`listening ${address.port}\n`);
  });
  process.once('SIGTERM', () => {
    server.close();
    broker.close(() => process.exit(0));
  });
}

void main();
