import { inflateRawSync } from 'node:zlib';
import { crc32 } from 'node:zlib';
import { createAppConfig } from '../../../src/config';
import { fillTemplate } from '../../../src/http/server-api/message-broadcast';
import { formatLogHour, logDownloadPath, logLine, parseLogHour, verifyLogDownload } from '../../../src/services/message-history-log';
import { zipArchive } from '../../../src/services/zip-archive';

/** Reads every entry back through the central directory, checking sizes and CRCs. */
function unzip(zip: Uint8Array): { name: string; data: string }[] {
  const buf = Buffer.from(zip);
  const end = buf.length - 22;
  expect(buf.readUInt32LE(end)).toBe(0x06054b50);
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const out: { name: string; data: string }[] = [];
  for (let i = 0; i < count; i++) {
    expect(buf.readUInt32LE(at)).toBe(0x02014b50);
    const crc = buf.readUInt32LE(at + 16);
    const compressed = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLength);
    const local = buf.readUInt32LE(at + 42);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = inflateRawSync(buf.subarray(start, start + compressed));
    expect(data.length).toBe(size);
    expect(crc32(data) >>> 0).toBe(crc);
    out.push({ name, data: data.toString('utf8') });
    at += 46 + nameLength;
  }
  return out;
}

describe('zipArchive', () => {
  it('writes deflated entries any unzip reads back (sizes, CRC, UTF-8 names)', () => {
    const big = 'line\n'.repeat(10_000);
    const entries = unzip(zipArchive([{ name: '2024010112.txt', data: new TextEncoder().encode(big), modified: Date.UTC(2024, 0, 1, 12) }, { name: '空.txt', data: new Uint8Array(), modified: 0 }]));
    expect(entries).toEqual([{ name: '2024010112.txt', data: big }, { name: '空.txt', data: '' }]);
  });
});

describe('message log hours and URLs', () => {
  it('parse and print YYYYMMDDHH in server local time, refusing impossible hours', () => {
    const hour = parseLogHour('2024022923');
    expect(hour).toBe(new Date(2024, 1, 29, 23).getTime());
    expect(formatLogHour((hour ?? 0) + 59 * 60_000)).toBe('2024022923');
    for (const bad of ['2023022923', '2024013024x', '2024010124', '202401011', '2024133112']) expect(parseLogHour(bad)).toBeUndefined();
  });

  it('sign download URLs per app with an expiry', () => {
    const app = createAppConfig('k', 'secret');
    const other = createAppConfig('k', 'other');
    const path = logDownloadPath(app, '2024010112', 1_000);
    const url = new URL(`http://h${path}`);
    expect(url.pathname).toBe('/message-history/k/2024010112.zip');
    const [expires, sig] = [url.searchParams.get('expires') ?? '', url.searchParams.get('sig') ?? ''];
    expect(verifyLogDownload(app, '2024010112', expires, sig, 2_000)).toBe(true);
    expect(verifyLogDownload(app, '2024010113', expires, sig, 2_000)).toBe(false);
    expect(verifyLogDownload(other, '2024010112', expires, sig, 2_000)).toBe(false);
    expect(verifyLogDownload(app, '2024010112', expires, sig, Number(expires) + 1)).toBe(false);
  });

  it('write one JSON object per message with the documented fields', () => {
    const line = JSON.parse(logLine('k', { uid: 'U', sentTime: new Date(2024, 0, 1, 12, 0, 5, 7).getTime(), fromUserId: 'a', conversationType: 3, targetId: 'g', objectName: 'RC:TxtMsg', content: new TextEncoder().encode('{"content":"hi"}'), recalled: false })) as Record<string, unknown>;
    expect(line).toEqual({ appId: 'k', fromUserId: 'a', targetId: 'g', targetType: 3, GroupId: 'g', classname: 'RC:TxtMsg', content: { content: 'hi' }, dateTime: '2024-01-01 12:00:05.007', source: '', msgUID: 'U', isRecalled: false, busChannel: '' });
  });
});

describe('fillTemplate', () => {
  it('fills {key} and literal "{key}" placeholders, JSON-escaping values inside content', () => {
    expect(fillTemplate('{"c":"{a} {b}"}', { a: 'x"y', '{b}': 'z' }, true)).toBe('{"c":"x\\"y z"}');
    expect(fillTemplate('{a}/{a}', { a: 'q"' }, false)).toBe('q"/q"');
  });
});
