/**
 * A real multipart endpoint for the upload cases: POST /upload answers with what it parsed (the
 * text fields and the file part's field, filename, type and bytes as base64); POST /upload-slow
 * never answers (timeouts and aborts).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ParsedUpload {
  readonly fields: Record<string, string>;
  readonly file?: { readonly field: string; readonly filename: string; readonly contentType: string; readonly base64: string };
}

function parseMultipart(contentType: string, body: Buffer): ParsedUpload {
  const boundary = /boundary=(.+)$/.exec(contentType)?.[1];
  if (boundary === undefined) throw new Error(`not multipart: ${contentType}`);
  const fields: Record<string, string> = {};
  let file: ParsedUpload['file'];
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, split).toString('utf8');
    const content = part.subarray(split + 4);
    const name = /name="([^"]*)"/.exec(head)?.[1] ?? '';
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    if (filename === undefined) fields[name] = content.toString('utf8');
    else file = { field: name, filename, contentType: /content-type:\s*(.+)/i.exec(head)?.[1]?.trim() ?? '', base64: content.toString('base64') };
    at = next;
  }
  return file === undefined ? { fields } : { fields, file };
}

export async function startUploadEchoServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/upload-slow') return;
      try {
        const parsed = parseMultipart(req.headers['content-type'] ?? '', Buffer.concat(chunks));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(parsed));
      } catch (error) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
