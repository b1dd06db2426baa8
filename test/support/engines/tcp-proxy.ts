/**
 * A TCP proxy on 127.0.0.1 that can black-hole its traffic, for partition tests without network
 * namespaces: `cut()` stops moving bytes in both directions and holds new connections, without closing
 * or resetting anything (what a real partition looks like to both ends: silence); `heal()` lets the
 * buffered bytes and the held connections through, in order. `refuse()` fails the link with errors
 * instead: it closes every forwarded connection and each new one at once (what a node sees when its own
 * link to Redis breaks while the other nodes keep theirs); `allow()` forwards new connections again.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface RunningProxy {
  /** The proxy's port (connect here instead of the target). */
  readonly port: number;
  cut(): void;
  heal(): void;
  refuse(): void;
  allow(): void;
  stop(): Promise<void>;
}

interface Link {
  readonly client: Socket;
  upstream: Socket | undefined;
}

export async function startProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<RunningProxy> {
  let cut = false;
  let refusing = false;
  const links = new Set<Link>();

  const open = (link: Link): void => {
    const upstream = connect(targetPort, targetHost);
    link.upstream = upstream;
    upstream.on('error', () => link.client.destroy());
    upstream.once('close', () => link.client.destroy());
    link.client.once('close', () => upstream.destroy());
    link.client.pipe(upstream);
    upstream.pipe(link.client);
  };

  const server: Server = createServer((client) => {
    if (refusing) {
      client.on('error', () => undefined);
      client.destroy();
      return;
    }
    const link: Link = { client, upstream: undefined };
    links.add(link);
    client.on('error', () => client.destroy());
    client.once('close', () => links.delete(link));
    if (cut) client.pause();
    else open(link);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  return {
    port,
    cut: () => {
      cut = true;
      for (const { client, upstream } of links) {
        // Unpiped and paused: bytes stay in the socket buffers; nothing is closed or reset.
        if (upstream !== undefined) {
          client.unpipe(upstream);
          upstream.unpipe(client);
          upstream.pause();
        }
        client.pause();
      }
    },
    refuse: () => {
      refusing = true;
      for (const { client, upstream } of links) {
        client.destroy();
        upstream?.destroy();
      }
    },
    allow: () => {
      refusing = false;
    },
    heal: () => {
      cut = false;
      for (const link of links) {
        if (link.upstream === undefined) {
          open(link);
          continue;
        }
        link.client.pipe(link.upstream);
        link.upstream.pipe(link.client);
      }
    },
    stop: async () => {
      for (const { client, upstream } of links) {
        client.destroy();
        upstream?.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
