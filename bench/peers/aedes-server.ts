/**
 * Peer for P1: an `aedes` MQTT broker over TCP with default options (in-memory persistence), so QoS 1
 * means "acked by the broker, redelivered to a connected subscriber until it acks", nothing on disk.
 * Sockets without Nagle's algorithm (`noDelay`), as `ws` sets on our server's and the relay's sockets: with
 * it, small QoS 1 deliveries wait for delayed ACKs (at `--window 2` aedes delivered 3,350 msg/s with a p50 of
 * 19 s while acking every publish).
 * `node --import tsx bench/peers/aedes-server.ts` prints `listening <port>`.
 */
import net from 'node:net';
import { Aedes } from 'aedes';

async function main(): Promise<void> {
  const broker = await Aedes.createBroker();
  const server = net.createServer({ noDelay: true }, (socket) => broker.handle(socket));
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
