/**
 * The real local servers the PlatformAdapter contract (platforms/adapter.contract.ts) runs against:
 * a WebSocket echo server and an HTTP server on 127.0.0.1, plus a port nothing listens on.
 * GET /status/<n> honours `x-lianxin-status-in-header: 1` as the Lianxin navigator does (HTTP 200,
 * the status in `x-lianxin-status`, the same body): the Alipay adapter asks it because my.request
 * may report an error status without status or body (platforms/alipay/alipay-request.ts);
 * `/status/<n>?plain` answers like a server that ignores the header.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { AdapterContractEnv } from '../../platforms/adapter.contract';

export interface ContractServers extends AdapterContractEnv {
  close(): Promise<void>;
}

export async function startContractServers(): Promise<ContractServers> {
  const slow = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = /^\/status\/(\d{3})$/.exec(url.pathname);
      if (url.pathname === '/text') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-contract': 'yes' });
        res.end('héllo wörld');
      } else if (url.pathname === '/bytes') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
      } else if (url.pathname === '/echo' && req.method === 'POST') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.concat(chunks));
      } else if (status?.[1] !== undefined && req.headers['x-lianxin-status-in-header'] === '1' && !url.searchParams.has('plain')) {
        res.writeHead(200, { 'content-type': 'text/plain', 'x-lianxin-status': status[1] });
        res.end(`status ${status[1]}`);
      } else if (status?.[1] !== undefined) {
        res.writeHead(Number(status[1]), { 'content-type': 'text/plain' });
        res.end(`status ${status[1]}`);
      } else if (url.pathname === '/slow') {
        slow.add(res);
        res.on('close', () => slow.delete(res));
      } else if (url.pathname === '/headers') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(req.headers));
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (pathname !== '/echo') {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data) => {
        const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
        const m = /^close:(\d+):(.*)$/s.exec(bytes.subarray(0, 6).toString('latin1') === 'close:' ? bytes.toString('utf8') : '');
        if (m?.[1] !== undefined) ws.close(Number(m[1]), m[2] ?? '');
        else ws.send(bytes, { binary: true });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  // A port that was just free: bind and release it so connecting there is refused.
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const deadPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));

  return {
    wsUrl: `ws://127.0.0.1:${port}`,
    httpUrl: `http://127.0.0.1:${port}`,
    deadUrl: `127.0.0.1:${deadPort}`,
    async close() {
      for (const res of slow) res.destroy();
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

