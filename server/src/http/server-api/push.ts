/**
 * `push` (JSON body; SERVER_API.md §2.5; rongcloud-sdk `Push.push` / `Push.message`), validated as RongCloud
 * documents it and answered `{code:200, id}`:
 * `{platform:["ios","android"], fromuserid?, audience:{tag[≤20], tag_or[≤20], userid[≤1000], packageName, is_to_all},
 *   notification:{alert, ios{…}, android{…}}, message?:{content, objectName, disableUpdateLastMsg?}}`.
 * What is delivered (the in-app message only, no device notification) is described in services/push-service.ts
 * and docs/server-api-coverage.md ("Push").
 */
import { apiError, ServerApiErrors } from '../../errors';
import type { PushAudience, PushMessagePart, PushService } from '../../services/push-service';
import { encodeUtf8 } from '../../services/wire';
import { MAX_CONTENT_BYTES } from '../../services/wire-status';
import type { ServerApiModule } from './index';
import { USER_ID_RULE } from './user';
import { MAX_TAG_BYTES } from './user-tag';

const PLATFORMS: ReadonlySet<string> = new Set(['ios', 'android', 'harmonyos']);
const MAX_AUDIENCE_TAGS = 20;
const MAX_AUDIENCE_USERS = 1000;
const MAX_OBJECT_NAME = 32;
const MAX_PACKAGE_NAME = 256;

type Json = Readonly<Record<string, unknown>>;

function bad(message: string): Error {
  return apiError(ServerApiErrors.badParameter, message);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(value: unknown, name: string, required: boolean): Json | undefined {
  if (value === undefined || value === null) {
    if (required) throw bad(`${name} is required`);
    return undefined;
  }
  if (!isObject(value)) throw bad(`${name} must be an object`);
  return value;
}

function optionalText(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw bad(`${name} must be a string`);
  return value;
}

function list(value: unknown, name: string, maxItems: number, check: (item: string) => boolean): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw bad(`${name} must be an array`);
  if (value.length > maxItems) throw bad(`${name} accepts at most ${maxItems} values`);
  return value.map((item, index) => {
    if (typeof item !== 'string' || item === '' || !check(item)) throw bad(`${name}[${index}] is invalid`);
    return item;
  });
}

/** `is_to_all`: a boolean, or the strings `true`/`false` (the docs type it as String). Absent = false. */
function flag(value: unknown, name: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw bad(`${name} must be true or false`);
}

const tagOk = (tag: string): boolean => Buffer.byteLength(tag, 'utf8') <= MAX_TAG_BYTES;
const userOk = (id: string): boolean => USER_ID_RULE.pattern.test(id) && Buffer.byteLength(id, 'utf8') <= USER_ID_RULE.maxBytes;

function readAudience(body: Json): PushAudience {
  const audience = object(body['audience'], 'audience', true) ?? {};
  const toAll = flag(audience['is_to_all'], 'audience.is_to_all');
  const allOf = list(audience['tag'], 'audience.tag', MAX_AUDIENCE_TAGS, tagOk);
  const anyOf = list(audience['tag_or'], 'audience.tag_or', MAX_AUDIENCE_TAGS, tagOk);
  const userIds = list(audience['userid'], 'audience.userid', MAX_AUDIENCE_USERS, userOk);
  const packageName = optionalText(audience['packageName'], 'audience.packageName');
  if (packageName !== undefined && packageName.length > MAX_PACKAGE_NAME) throw bad('audience.packageName is too long');
  if (!toAll && allOf.length === 0 && anyOf.length === 0 && userIds.length === 0 && (packageName === undefined || packageName === '')) {
    throw bad('audience needs is_to_all, tag, tag_or, userid or packageName');
  }
  return { toAll, userIds, allOf, anyOf, ...(packageName !== undefined && packageName !== '' ? { packageName } : {}) };
}

/** Returns `notification.alert`. Per-platform parts are checked for shape only (they only matter to a vendor gateway). */
function readNotification(body: Json): string {
  const notification = object(body['notification'], 'notification', true) ?? {};
  const alert = optionalText(notification['alert'], 'notification.alert');
  if (alert === undefined || alert === '') throw bad('notification.alert is required');
  for (const platform of ['ios', 'android']) {
    const part = object(notification[platform], `notification.${platform}`, false);
    if (part === undefined) continue;
    for (const field of ['alert', 'title']) optionalText(part[field], `notification.${platform}.${field}`);
    object(part['extras'], `notification.${platform}.extras`, false);
  }
  return alert;
}

function readMessage(body: Json): PushMessagePart | undefined {
  const message = object(body['message'], 'message', false);
  if (message === undefined) return undefined;
  const objectName = optionalText(message['objectName'], 'message.objectName');
  if (objectName === undefined || objectName === '') throw bad('message.objectName is required');
  if ([...objectName].length > MAX_OBJECT_NAME) throw bad(`message.objectName is too long (max ${MAX_OBJECT_NAME} characters)`);
  const content = optionalText(message['content'], 'message.content');
  if (content === undefined || content === '') throw bad('message.content is required');
  try {
    JSON.parse(content);
  } catch {
    throw bad('message.content must be a JSON string');
  }
  const bytes = encodeUtf8(content);
  if (bytes.length > MAX_CONTENT_BYTES) throw apiError(ServerApiErrors.lengthExceeded, 'message.content exceeds 128 KB');
  flag(message['disableUpdateLastMsg'], 'message.disableUpdateLastMsg');
  return { objectName, content: bytes };
}

export function pushRoutes(pushes: PushService): ServerApiModule {
  return () => ({
    push: ({ app, params }) => {
      const body = params.raw;
      const platforms = list(body['platform'], 'platform', PLATFORMS.size, (p) => PLATFORMS.has(p.toLowerCase()));
      if (platforms.length === 0) throw bad('platform is required (ios, android)');
      const audience = readAudience(body);
      const alert = readNotification(body);
      const message = readMessage(body);
      // `Push.message` of rongcloud-sdk sends `fromuserid`; `Push.push` passes the caller's `fromUserId` through.
      const fromUserId = optionalText(body['fromuserid'] ?? body['fromUserId'], 'fromuserid');
      if (fromUserId !== undefined && fromUserId !== '' && !userOk(fromUserId)) throw bad('fromuserid is invalid');
      if (message !== undefined && (fromUserId === undefined || fromUserId === '')) throw bad('fromuserid is required with a message');
      return async () => {
        const outcome = await pushes.push({
          appKey: app.appKey,
          ...(fromUserId !== undefined && fromUserId !== '' ? { fromUserId } : {}),
          platforms,
          audience,
          audienceJson: JSON.stringify(body['audience']),
          notificationJson: JSON.stringify(body['notification']),
          alert,
          ...(message !== undefined ? { message } : {}),
        });
        return { id: outcome.id };
      };
    },
  });
}
