/**
 * A stand-in App Server for the callback tests: a real HTTP server on 127.0.0.1 that checks every request's
 * signature in all its variants (query `signature`/`rc-signature`, `RC-Signature` header) against the app secret,
 * records what it got, answers moderation requests through a test-supplied function, and can die (connections
 * cut) and come back on the same port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyCallbackQuery } from '../../src/services/callbacks/callback-signature';

export interface ReceivedCallback {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly contentType: string;
  readonly body: string;
  /** Every signature variant matched the app secret. */
  readonly signed: boolean;
}

export type Answer = { readonly status?: number; readonly body?: string; readonly delayMs?: number };
export type Responder = (request: ReceivedCallback) => Answer | undefined;

export class AppServerReceiver {
  readonly received: ReceivedCallback[] = [];
  private server: Server | undefined;
  private port = 0;

  constructor(
    private readonly secrets: Readonly<Record<string, string>>,
    private readonly respond: Responder = () => undefined,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** `url` + path, percent-encoded for `--app KEY:SECRET:name=value` (which splits on `:` and `,`). */
  encodedUrl(path: string): string {
    return encodeURIComponent(`${this.url}${path}`);
  }

  on(path: string): ReceivedCallback[] {
    return this.received.filter((r) => r.path === path);
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => void this.handle(request, response));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
  }

  /** Dies: stops listening and cuts every open connection (requests in flight fail). */
  async kill(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://receiver');
    const query = url.searchParams;
    const secret = this.secrets[query.get('appKey') ?? ''] ?? '';
    const header = (name: string): string => String(request.headers[name] ?? '');
    const variants =
      verifyCallbackQuery(query, secret) &&
      query.get('signTimestamp') === query.get('timestamp') &&
      query.get('rc-signature') === query.get('signature') &&
      header('rc-signature') === query.get('signature') &&
      header('rc-app-key') === query.get('appKey') &&
      header('rc-nonce') === query.get('nonce');
    const received: ReceivedCallback = { path: url.pathname, query, contentType: header('content-type'), body: Buffer.concat(chunks).toString('utf8'), signed: variants };
    const answer = this.respond(received) ?? {};
    // Unref'd: a slow answer still pending when the test ends must not keep the process alive.
    if (answer.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, answer.delayMs).unref());
    if ((answer.status ?? 200) === 200) this.received.push(received);
    if (response.destroyed) return;
    response.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
    response.end(answer.body ?? '{"code":200}');
  }
}
