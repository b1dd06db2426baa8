/**
 * KeyValueStorage for Node: in memory (default) or persisted to one JSON file. File writes are
 * serialised and atomic (temp file + rename), so a crash never leaves half a file.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { KeyValueStorage } from '../../src/platform/platform-adapter';

export function createMemoryStorage(): KeyValueStorage {
  const map = new Map<string, string>();
  return {
    get: (key) => Promise.resolve(map.get(key)),
    set: (key, value) => {
      map.set(key, value);
      return Promise.resolve();
    },
    remove: (key) => {
      map.delete(key);
      return Promise.resolve();
    },
  };
}

/** Every operation re-reads the file, so two adapters (or processes) on one path see each other's writes. */
export function createFileStorage(filePath: string): KeyValueStorage {
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  const load = async (): Promise<Record<string, string>> => {
    let text: string;
    try {
      text = await fs.readFile(filePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v;
    return out;
  };

  const save = async (data: Record<string, string>): Promise<void> => {
    await fs.mkdir(path.dirname(filePath), { recursive: true });
    const tmp = `${filePath}.${process.pid}.${Date.now()}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(data), 'utf8');
    await fs.rename(tmp, filePath);
  };

  return {
    get: (key) => serial(async () => (await load())[key]),
    set: (key, value) =>
      serial(async () => {
        const data = await load();
        data[key] = value;
        await save(data);
      }),
    remove: (key) =>
      serial(async () => {
        const data = await load();
        if (!(key in data)) return;
        delete data[key];
        await save(data);
      }),
  };
}
