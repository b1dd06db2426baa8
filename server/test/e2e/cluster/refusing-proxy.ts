/**
 * A TCP forwarder on 127.0.0.1 that can cut one node's link to an engine with errors rather than silence:
 * `refuse()` closes every forwarded connection and closes each new one at once (what a node sees when its
 * own link to Redis breaks while the other nodes keep theirs); `allow()` forwards new connections again.
 * tcp-proxy.ts black-holes instead (a partition: commands hang, nothing fails).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface RefusingProxy {
  readonly port: number;
  refuse(): void;
  allow(): void;
  stop(): Promise<void>;
}

export async function startRefusingProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<RefusingProxy> {
  let refusing = false;
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    track(upstream);
    upstream.once('close', () => client.destroy());
    client.once('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    refuse: () => {
      refusing = true;
      for (const socket of sockets) socket.destroy();
    },
    allow: () => {
      refusing = false;
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
