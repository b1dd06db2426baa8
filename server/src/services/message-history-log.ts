/**
 * Hourly message log packages (`message/history`, SERVER_API.md §2.2): for an hour `YYYYMMDDHH` (server local
 * time, like every date this API prints) the App Server gets a URL to a ZIP holding one text file with one JSON
 * object per line per message of the app in that hour, oldest first:
 *   {"appId","fromUserId","targetId","targetType","GroupId","classname","content","dateTime","source","msgUID",
 *    "isRecalled","busChannel"}
 * The package is built from the store when downloaded. The URL is signed with a key derived from the app
 * secret and expires, so it can be handed to anything the App Server likes without further credentials.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AppConfig } from '../config';
import type { ServerContext } from '../context';
import type { LoggedMessage } from '../store/message-log-repository';
import { zipArchive } from './zip-archive';

export const HOUR_MS = 3_600_000;
/** How long a handed-out URL stays valid. */
export const LOG_URL_TTL_MS = 24 * HOUR_MS;
export const LOG_DOWNLOAD_PREFIX = '/message-history';
const PAGE = 1000;
/** An hour with more messages than this is cut (the package would not fit a reasonable response). */
const MAX_MESSAGES_PER_HOUR = 1_000_000;
const KEY_LABEL = 'lianxin/message-log-url/v1';
const GROUP_LIKE: ReadonlySet<number> = new Set([2, 3, 4]);

/** `YYYYMMDDHH` → the hour's first ms (server local time), undefined when not a real hour. */
export function parseLogHour(date: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})$/.exec(date);
  if (match === null) return undefined;
  const [year, month, day, hour] = match.slice(1).map(Number) as [number, number, number, number];
  const at = new Date(year, month - 1, day, hour);
  if (at.getFullYear() !== year || at.getMonth() !== month - 1 || at.getDate() !== day || at.getHours() !== hour) return undefined;
  return at.getTime();
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

export function formatLogHour(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}${two(d.getHours())}`;
}

function dateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

export function logLine(appKey: string, message: LoggedMessage): string {
  const text = new TextDecoder().decode(message.content);
  let content: unknown = text;
  try {
    content = JSON.parse(text);
  } catch {
    // kept as a string
  }
  return JSON.stringify({
    appId: appKey,
    fromUserId: message.fromUserId,
    targetId: message.targetId,
    targetType: message.conversationType,
    GroupId: GROUP_LIKE.has(message.conversationType) ? message.targetId : '',
    classname: message.objectName,
    content,
    dateTime: dateTime(message.sentTime),
    source: '',
    msgUID: message.uid,
    isRecalled: message.recalled,
    busChannel: '',
  });
}

/** Whether the hour has anything to download (not deleted, at least one message). */
export async function hourHasLog(ctx: ServerContext, appKey: string, hourStart: number): Promise<boolean> {
  if (await ctx.store.messageLog.isHourDeleted(appKey, hourStart)) return false;
  return (await ctx.store.messageLog.between(appKey, hourStart, hourStart + HOUR_MS, undefined, 1)).length > 0;
}

/** The ZIP of one hour, or undefined when it was deleted. */
export async function buildHourLog(ctx: ServerContext, appKey: string, hourStart: number): Promise<Uint8Array | undefined> {
  const log = ctx.store.messageLog;
  if (await log.isHourDeleted(appKey, hourStart)) return undefined;
  const lines: string[] = [];
  let after: { sentTime: number; uid: string } | undefined;
  while (lines.length < MAX_MESSAGES_PER_HOUR) {
    const page = await log.between(appKey, hourStart, hourStart + HOUR_MS, after, PAGE);
    for (const message of page) lines.push(logLine(appKey, message));
    const last = page[page.length - 1];
    if (last === undefined || page.length < PAGE) break;
    after = { sentTime: last.sentTime, uid: last.uid };
  }
  const date = formatLogHour(hourStart);
  const data = new TextEncoder().encode(lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  return zipArchive([{ name: `${date}.txt`, data, modified: Math.min(ctx.clock.now(), hourStart + HOUR_MS) }]);
}

function urlSignature(app: AppConfig, date: string, expires: number): string {
  const key = createHmac('sha256', app.appSecret).update(KEY_LABEL).digest();
  return createHmac('sha256', key).update(`${app.appKey}\n${date}\n${expires}`).digest('base64url');
}

/** Path and query of the download (`origin` is prepended by the caller). */
export function logDownloadPath(app: AppConfig, date: string, now: number): string {
  const expires = now + LOG_URL_TTL_MS;
  return `${LOG_DOWNLOAD_PREFIX}/${encodeURIComponent(app.appKey)}/${date}.zip?expires=${expires}&sig=${urlSignature(app, date, expires)}`;
}

export function verifyLogDownload(app: AppConfig, date: string, expires: string, sig: string, now: number): boolean {
  if (!/^\d{1,16}$/.test(expires) || Number(expires) < now) return false;
  const expected = Buffer.from(urlSignature(app, date, Number(expires)));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
