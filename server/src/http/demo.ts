/**
 * The web demo (demo-web/) at `/` and the admin console page at `/console`, plus the browser SDK
 * bundle (dist/browser.mjs) and the emoji plugin (dist/emoji.mjs, dist/lianxin-emoji.umd.js) under
 * `/demo/sdk/`, served from fixed folders only: a URL maps to a file inside demo-web/ (or to one of
 * the listed dist files), never outside, never a dotfile.
 *
 * `POST /demo/api/token` issues user tokens for the generated DEV app only (through the signed
 * Server API `user/getToken`), and answers 403 when there is no dev app or NODE_ENV=production:
 * a real deployment never hands out tokens to anonymous browsers.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ServerContext } from '../context';
import type { AppConfig } from '../config';
import { callServerApi } from './server-api-inject';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** The repository root: two levels above server/src/main.ts (tsx runs it as argv[1]), else the cwd. */
export function findRepoRoot(): string {
  const candidates: string[] = [];
  const entry = process.argv[1];
  if (entry !== undefined && entry !== '') candidates.push(resolve(dirname(entry), '..', '..'));
  candidates.push(process.cwd());
  return candidates.find((dir) => existsSync(join(dir, 'demo-web', 'index.html'))) ?? process.cwd();
}

/** A file strictly inside `root` named by `relative`, or undefined (climbing, dotfiles, unknown types). */
export function safeFile(root: string, relative: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.split(/[\\/]/).some((part) => part.startsWith('.'))) return undefined;
  if (CONTENT_TYPES[extname(decoded)] === undefined) return undefined;
  const base = normalize(root);
  const file = normalize(join(base, decoded));
  if (!file.startsWith(base + sep)) return undefined;
  return existsSync(file) && statSync(file).isFile() ? file : undefined;
}

function sendFile(reply: FastifyReply, file: string | undefined): FastifyReply {
  if (file === undefined) {
    return reply.code(404).header('content-type', 'application/json; charset=utf-8').send({ code: 404, errorMessage: 'not found' });
  }
  return reply
    .code(200)
    .header('content-type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream')
    .header('cache-control', 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .send(readFileSync(file));
}

/** The dev app when dev tokens are allowed (a dev app exists and NODE_ENV is not production). */
export function devTokenApp(ctx: ServerContext, env: NodeJS.ProcessEnv = process.env): AppConfig | undefined {
  if (env['NODE_ENV'] === 'production') return undefined;
  return ctx.apps.list().find((app) => app.dev);
}

/** The dist files the demo pages load: the browser SDK and the emoji plugin (ESM and UMD script), with their maps. */
const SDK_FILES: ReadonlySet<string> = new Set(
  ['browser.mjs', 'emoji.mjs', 'lianxin-emoji.umd.js'].flatMap((file) => [file, `${file}.map`]),
);

const USER_ID = /^[A-Za-z0-9_=+\-.@]{1,64}$/;

export function registerDemo(fastify: FastifyInstance, ctx: ServerContext, root: string = findRepoRoot()): void {
  const web = join(root, 'demo-web');
  const dist = join(root, 'dist');

  fastify.get('/', async (_request, reply) => sendFile(reply, safeFile(web, 'index.html')));
  fastify.get('/console', async (_request, reply) => sendFile(reply, safeFile(web, 'console.html')));
  fastify.get('/demo/sdk/:file', async (request, reply) => {
    const { file } = request.params as { file: string };
    return sendFile(reply, SDK_FILES.has(file) ? safeFile(dist, file) : undefined);
  });
  fastify.get('/demo/*', async (request, reply) => {
    const rest = (request.params as { '*': string })['*'];
    return sendFile(reply, safeFile(web, rest));
  });

  /** What the page needs to init the SDK: the dev app key (or null) and the navi origin (this server). */
  fastify.get('/demo/api/config', async () => {
    const app = devTokenApp(ctx);
    return { appKey: app?.appKey ?? null, devTokens: app !== undefined };
  });

  fastify.post('/demo/api/token', async (request, reply) => {
    const app = devTokenApp(ctx);
    if (app === undefined) {
      return reply.code(403).send({ code: 403, errorMessage: 'dev tokens are only issued for the dev app (--dev-app) outside NODE_ENV=production' });
    }
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
    const userId = typeof body['userId'] === 'string' ? body['userId'] : '';
    if (!USER_ID.test(userId)) return reply.code(400).send({ code: 1002, errorMessage: 'userId: 1-64 of A-Z a-z 0-9 _ = + - . @' });
    const name = typeof body['name'] === 'string' && body['name'] !== '' ? body['name'].slice(0, 64) : userId;
    const answer = await callServerApi(fastify, app, 'user/getToken', { userId, name, portraitUri: '' }, ctx.clock.now());
    return reply.code(answer.status).send({ ...answer.body, appKey: app.appKey });
  });

  /**
   * The demo's blacklist view. RongIMLib 2.9.2's blacklist methods are not implemented on the web
   * (E4 throws; PROTOCOL.md §6.6), so a 2.x web app manages blacklists through its App Server: this
   * dev-only endpoint stands in for one, like the token endpoint above. The caller proves who it is
   * with its own token (`user/blacklist/*` of the token's user only), then one signed Server API call.
   */
  fastify.post('/demo/api/blacklist', async (request, reply) => {
    const app = devTokenApp(ctx);
    if (app === undefined) return reply.code(403).send({ code: 403, errorMessage: 'the demo blacklist is only available for the dev app outside NODE_ENV=production' });
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
    const claims = ctx.tokens.verify(typeof body['token'] === 'string' ? body['token'] : '');
    if (!claims.ok || claims.appKey !== app.appKey) return reply.code(401).send({ code: 401, errorMessage: 'a token of the dev app is required' });
    const action = body['action'];
    const now = ctx.clock.now();
    if (action === 'list') {
      const answer = await callServerApi(fastify, app, 'user/blacklist/query', { userId: claims.userId }, now);
      return reply.code(answer.status).send(answer.body);
    }
    const target = typeof body['userId'] === 'string' ? body['userId'] : '';
    if (!USER_ID.test(target)) return reply.code(400).send({ code: 1002, errorMessage: 'userId: 1-64 of A-Z a-z 0-9 _ = + - . @' });
    if (action !== 'add' && action !== 'remove') return reply.code(400).send({ code: 1002, errorMessage: 'action: add, remove or list' });
    const answer = await callServerApi(fastify, app, `user/blacklist/${action}`, { userId: claims.userId, blackUserId: [target] }, now);
    return reply.code(answer.status).send(answer.body);
  });
}
