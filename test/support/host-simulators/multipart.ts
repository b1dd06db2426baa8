/**
 * The multipart/form-data body a host's `uploadFile` sends (its own encoder, independent of the
 * adapter's), and the content type hosts derive from a temp file's extension.
 */
const TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  mp4: 'video/mp4',
  aac: 'audio/aac',
  mp3: 'audio/mpeg',
};

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function contentTypeOf(path: string): string {
  const ext = basename(path).split('.').pop()?.toLowerCase() ?? '';
  return TYPES[ext] ?? 'application/octet-stream';
}

export function multipart(fields: Record<string, string>, fileField: string, filePath: string, bytes: Uint8Array): { contentType: string; body: Buffer } {
  const mark = `----HostSimulator${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${mark}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`, 'utf8'));
  }
  parts.push(Buffer.from(`--${mark}\r\nContent-Disposition: form-data; name="${fileField}"; filename="${basename(filePath)}"\r\nContent-Type: ${contentTypeOf(filePath)}\r\n\r\n`, 'utf8'));
  parts.push(Buffer.from(bytes));
  parts.push(Buffer.from(`\r\n--${mark}--\r\n`, 'utf8'));
  return { contentType: `multipart/form-data; boundary=${mark}`, body: Buffer.concat(parts) };
}
