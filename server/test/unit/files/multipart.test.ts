/**
 * The streaming multipart parser, byte by byte: every split of a body into chunks yields the same
 * parts; bodies are never buffered beyond the delimiter window; malformed input and limits throw.
 */
import fc from 'fast-check';
import { boundaryOf, MultipartError, MultipartParser, parsePartHeaders } from '../../../src/files/multipart';
import type { MultipartEvent, PartInfo } from '../../../src/files/multipart';

interface Part {
  readonly headers: string;
  readonly body: Buffer;
}

function body(boundary: string, parts: readonly Part[], preamble = '', epilogue = ''): Buffer {
  const chunks: Buffer[] = [Buffer.from(preamble)];
  for (const [i, part] of parts.entries()) {
    chunks.push(Buffer.from(`${i === 0 && preamble === '' ? '' : '\r\n'}--${boundary}\r\n${part.headers}\r\n\r\n`), part.body);
  }
  chunks.push(Buffer.from(`\r\n--${boundary}--${epilogue}`));
  return Buffer.concat(chunks);
}

interface Collected {
  readonly part: PartInfo;
  body: Buffer;
}

function collect(events: readonly MultipartEvent[], into: Collected[]): void {
  for (const event of events) {
    if (event.kind === 'part') into.push({ part: event.part, body: Buffer.alloc(0) });
    else if (event.kind === 'data') {
      const last = into[into.length - 1] as Collected;
      last.body = Buffer.concat([last.body, event.chunk]);
    }
  }
}

function parseInChunks(boundary: string, bytes: Buffer, cuts: readonly number[]): Collected[] {
  const parser = new MultipartParser(boundary);
  const out: Collected[] = [];
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    collect(parser.push(bytes.subarray(at, cut)), out);
    at = cut;
  }
  collect(parser.push(bytes.subarray(at)), out);
  parser.end();
  return out;
}

const BOUNDARY = '----WebKitFormBoundary7MA4YWxkTrZu0gW';

describe('boundaryOf', () => {
  it('reads plain and quoted boundaries of multipart/form-data only', () => {
    expect(boundaryOf(`multipart/form-data; boundary=${BOUNDARY}`)).toBe(BOUNDARY);
    expect(boundaryOf('Multipart/Form-Data; charset=utf-8; boundary="a b:c"')).toBe('a b:c');
    expect(boundaryOf('multipart/mixed; boundary=x')).toBeUndefined();
    expect(boundaryOf('application/octet-stream')).toBeUndefined();
    expect(boundaryOf(undefined)).toBeUndefined();
    expect(boundaryOf('multipart/form-data')).toBeUndefined();
    expect(boundaryOf(`multipart/form-data; boundary=${'x'.repeat(71)}`)).toBeUndefined();
  });
});

describe('parsePartHeaders', () => {
  it('reads field names, file names (RFC 5987 too) and content types; strips directories', () => {
    expect(parsePartHeaders('Content-Disposition: form-data; name="token"')).toEqual({ name: 'token', filename: undefined, contentType: 'text/plain' });
    expect(parsePartHeaders('content-disposition: form-data; name="file"; filename="C:\\fakepath\\a b.png"\r\nContent-Type: image/png')).toEqual({
      name: 'file',
      filename: 'a b.png',
      contentType: 'image/png',
    });
    expect(parsePartHeaders(`Content-Disposition: form-data; name="file"; filename="x.txt"; filename*=UTF-8''%E4%BD%A0%E5%A5%BD.txt`).filename).toBe('你好.txt');
    expect(parsePartHeaders('Content-Disposition: form-data; name="f"; filename="../../etc/passwd"').filename).toBe('passwd');
    expect(parsePartHeaders('Content-Disposition: form-data; name="q\\"x"; filename="a\\"b"').name).toBe('q"x');
  });

  it('refuses parts without a disposition or a name', () => {
    expect(() => parsePartHeaders('Content-Type: text/plain')).toThrow(MultipartError);
    expect(() => parsePartHeaders('Content-Disposition: form-data; filename="a"')).toThrow(MultipartError);
    expect(() => parsePartHeaders('Content-Disposition: inline; name="a"')).toThrow(MultipartError);
    expect(() => parsePartHeaders('garbage')).toThrow(MultipartError);
  });
});

describe('MultipartParser', () => {
  const file = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) % 256));
  const parts: Part[] = [
    { headers: 'Content-Disposition: form-data; name="key"', body: Buffer.from('1__RC-2026-1-2_3_4.jpg') },
    { headers: 'Content-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg', body: file },
    { headers: 'Content-Disposition: form-data; name="token"', body: Buffer.from('lx1.abc.def') },
  ];

  it('parses the official upload form in one chunk', () => {
    const out = parseInChunks(BOUNDARY, body(BOUNDARY, parts), []);
    expect(out.map((p) => p.part.name)).toEqual(['key', 'file', 'token']);
    expect(out[1]?.part.filename).toBe('a.jpg');
    expect(out[1]?.body.equals(file)).toBe(true);
    expect(out[2]?.body.toString()).toBe('lx1.abc.def');
  });

  it('yields the same parts for every way of splitting the bytes', () => {
    const bytes = body(BOUNDARY, parts, 'preamble text\r\n', '\r\nepilogue');
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 40 }), (cuts) => {
        const out = parseInChunks(BOUNDARY, bytes, cuts);
        expect(out.map((p) => [p.part.name, p.body.toString('hex')])).toEqual(parts.map((p, i) => [['key', 'file', 'token'][i], p.body.toString('hex')]));
      }),
      { numRuns: 300 },
    );
  });

  it('handles bodies that contain near-delimiters, CRLFs and dashes', () => {
    const tricky = Buffer.from(`\r\n--${BOUNDARY.slice(0, -1)}X\r\n--\r\n\r\n-${BOUNDARY}\r\n--${BOUNDARY.slice(1)}`);
    const p: Part[] = [{ headers: 'Content-Disposition: form-data; name="file"; filename="t.bin"', body: tricky }, { headers: 'Content-Disposition: form-data; name="e"', body: Buffer.alloc(0) }];
    const bytes = body(BOUNDARY, p);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const out = parseInChunks(BOUNDARY, bytes, [cut]);
      expect(out[0]?.body.equals(tricky)).toBe(true);
      expect(out[1]?.body.length).toBe(0);
    }
  });

  it('keeps memory bounded: data is released as it streams, not held to the end', () => {
    const parser = new MultipartParser(BOUNDARY);
    const head = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big"\r\n\r\n`);
    let released = 0;
    for (const e of parser.push(head)) if (e.kind === 'data') released += e.chunk.length;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let i = 0; i < 64; i++) {
      for (const e of parser.push(chunk)) if (e.kind === 'data') released += e.chunk.length;
      // At most a delimiter's length (minus one) is ever withheld.
      expect((i + 1) * chunk.length - released).toBeLessThan(BOUNDARY.length + 4);
    }
  });

  it('accepts a part with no headers only when it still has a name (refused) and tolerates transport padding', () => {
    const padded = Buffer.from(`--${BOUNDARY}  \r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--${BOUNDARY}--`);
    expect(parseInChunks(BOUNDARY, padded, []).map((p) => p.body.toString())).toEqual(['x']);
    const noHeaders = Buffer.from(`--${BOUNDARY}\r\n\r\nx\r\n--${BOUNDARY}--`);
    expect(() => parseInChunks(BOUNDARY, noHeaders, [])).toThrow(MultipartError);
  });

  it('throws on truncation, garbage after a delimiter, oversized headers, too many parts and a missing boundary', () => {
    const bytes = body(BOUNDARY, parts);
    expect(() => parseInChunks(BOUNDARY, bytes.subarray(0, bytes.length - 3), [])).toThrow('closing boundary');
    expect(() => parseInChunks(BOUNDARY, Buffer.from(`--${BOUNDARY}XX`), [])).toThrow(MultipartError);
    const bigHeader = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\nX: ${'y'.repeat(20_000)}\r\n\r\nv\r\n--${BOUNDARY}--`);
    expect(() => parseInChunks(BOUNDARY, bigHeader, [])).toThrow('headers too large');
    const many = body(BOUNDARY, Array.from({ length: 40 }, (_, i) => ({ headers: `Content-Disposition: form-data; name="f${i}"`, body: Buffer.from('v') })));
    expect(() => parseInChunks(BOUNDARY, many, [])).toThrow('too many');
    expect(() => parseInChunks(BOUNDARY, Buffer.alloc(70_000, 0x20), [])).toThrow('no multipart boundary');
  });

  it('ignores everything after the closing boundary', () => {
    const parser = new MultipartParser(BOUNDARY);
    const out: Collected[] = [];
    collect(parser.push(body(BOUNDARY, parts.slice(0, 1))), out);
    expect(parser.done).toBe(true);
    expect(parser.push(Buffer.from(`\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="late"\r\n\r\nx`))).toEqual([]);
    expect(out).toHaveLength(1);
  });
});
