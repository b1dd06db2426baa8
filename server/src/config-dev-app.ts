/** The development app of `--dev-app` (config.ts's loadConfig). */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, createAppConfig } from './app-config';
import type { AppConfig } from './app-config';
import { DEV_APP_FILE_NAME } from './config-defaults';
import { createFileOnce } from './create-file-once';

const DEV_KEY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const DEV_SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomString(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  // 256 % 36 and 256 % 62 bias is irrelevant for a dev credential.
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

/** The dev app of a dev-app file's text (`file` names it in errors). */
function parseDevApp(text: string, file: string): AppConfig {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`dev app file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const record = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const appKey = record['appKey'];
  const appSecret = record['appSecret'];
  if (typeof appKey !== 'string' || typeof appSecret !== 'string') {
    throw new ConfigError(`dev app file ${file} needs "appKey" and "appSecret"; delete it to generate a new dev app`);
  }
  return createAppConfig(appKey, appSecret, {}, `dev app file ${file}`, true);
}

/**
 * The development app: generated on first use and stored in the data directory, so restarts keep
 * the same key and secret (and therefore keep issued tokens valid). Starts racing on an empty directory
 * (cluster nodes sharing it) all use the app the first of them wrote (create-file-once.ts).
 */
export function loadOrCreateDevApp(dataDir: string): AppConfig {
  const file = join(dataDir, DEV_APP_FILE_NAME);
  if (existsSync(file)) return parseDevApp(readFileSync(file, 'utf8'), file);
  const app = createAppConfig(`dev${randomString(DEV_KEY_ALPHABET, 10)}`, randomString(DEV_SECRET_ALPHABET, 24), {}, 'dev app', true);
  const written = createFileOnce(file, JSON.stringify({ appKey: app.appKey, appSecret: app.appSecret }, null, 2) + '\n');
  return written.created ? app : parseDevApp(written.content, file);
}
