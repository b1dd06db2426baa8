/**
 * Comet endpoints on the CMP port (PROTOCOL.md §10): `GET /websocket` (connect, no Upgrade header),
 * `GET /pullmsg.js` (long-poll), `POST /websocket?messageid&header&sessionid…` (upstream). All are
 * CORS "simple" requests; bodies are read as raw text whatever the content type (E4 sends
 * text/plain, L2 x-www-form-urlencoded). Sessions that stop polling expire after `expiryMs` — upstream POSTs
 * do not keep a session alive, only polls do — and a session whose unpolled downlink outgrows its bound
 * (comet-transport.ts) is closed at once. Both are then forgotten: the client's next poll or POST is told the
 * session is gone (§10.5), it reconnects and pulls what it missed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cometUpstreamFrame, encodeCometConnectReply, parseCometQuery, parseCometUpstream, ProtocolError, type CometDialect, type CometFrame, type Frame } from '../../../src/internal';
import type { ServerContext } from '../context';
import { parseConnectParams, type ConnectParams } from './client-info';
import { upstreamPayload } from './comet-payloads';
import { logFields } from './log-fields';
import { FORWARDED_HEADER, type CometForwarder } from './comet-forwarding';
import { cometMaxQueuedBytesFromEnv, CometTransport, lostSessionBody, type QueueSize } from './comet-transport';
import { serverMetrics } from '../ops/server-metrics';
import type { Session } from './session';
import type { ClientKind } from './topic-router';
import { MISSING_PARAM_STATUS, type SessionManager } from './session-manager';

const LOST_PARAMS = 'lost params';
const MAX_BODY_BYTES = 1024 * 1024;
/** Ids of ended sessions remembered so that late polls get the right DISCONNECT dialect. */
const MAX_TOMBSTONES = 10_000;

interface CometEntry {
  readonly session: Session;
  readonly transport: CometTransport;
}

export interface CometGateway {
  /** Expires silent sessions and forgets drained ones; called periodically. */
  sweep(): void;
  close(): void;
  readonly size: number;
}

/** Extra time a relayed request may take on top of the comet hold before the asker gives up. */
export const RELAY_MARGIN_MS = 5000;

export async function registerCometRoutes(fastify: FastifyInstance, ctx: ServerContext, manager: SessionManager, forwarder?: CometForwarder): Promise<CometGateway> {
  const entries = new Map<string, CometEntry>();
  const tombstones = new Map<string, CometDialect>();
  const { cometHoldMs, cometExpiryMs } = manager.timeouts;
  const maxQueuedBytes = cometMaxQueuedBytesFromEnv(process.env);

  const forget = (sessionId: string, dialect: CometDialect): void => {
    entries.delete(sessionId);
    tombstones.set(sessionId, dialect);
    if (tombstones.size > MAX_TOMBSTONES) {
      const oldest = tombstones.keys().next().value;
      if (oldest !== undefined) tombstones.delete(oldest);
    }
  };

  /**
   * Closes a session whose downlink nobody pulls — expired (no poll for `cometExpiryMs`, whatever it POSTs) or
   * over its queue bound (`dropped`) — and forgets it, so its next request is answered as a lost session.
   */
  const end = (sessionId: string, session: Session, transport: CometTransport, dropped?: QueueSize): void => {
    if (!session.closed) {
      if (dropped !== undefined) {
        serverMetrics.dropped.inc({ reason: 'comet_queue_overflow' });
        ctx.log.warn('slow consumer disconnected', logFields(session.info, { reason: 'comet_queue_overflow', signals: dropped.signals, bytes: dropped.bytes }));
      } else {
        serverMetrics.dropped.inc({ reason: 'comet_expired' });
        ctx.log.debug('comet session expired', logFields(session.info));
      }
      session.close();
    }
    forget(sessionId, transport.dialect);
  };

  /** L2 sends `timestrap` as ms + Math.random() (a fraction); E4 an integer. */
  const dialectOf = (sessionId: string, timestrap: string | undefined): CometDialect =>
    tombstones.get(sessionId) ?? (timestrap !== undefined && timestrap.includes('.') ? 'l2' : 'e4');

  const send = (reply: FastifyReply, body: string, status = 200): FastifyReply => {
    if (reply.sent) return reply;
    return reply.code(status).header('access-control-allow-origin', '*').header('cache-control', 'no-store').type(status === 200 ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8').send(body);
  };

  const connect = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> => {
    const query = new URLSearchParams(rawQuery(request.url));
    const parsed = parseConnectParams(query, request.ip);
    if (!parsed.ok) return send(reply, encodeCometConnectReply({ status: MISSING_PARAM_STATUS[parsed.missing] ?? 2 }));
    const params: ConnectParams = parsed.params;
    const arrivedAt = manager.now();
    const sessionId = manager.newSessionId();
    const auth = await manager.authenticate(params, { connId: sessionId, origin: request.headers.origin });
    if (!auth.ok) return send(reply, encodeCometConnectReply({ status: auth.connackStatus }));
    const dialect: CometDialect = params.clientKind === 'L2' ? 'l2' : 'e4';
    let opened: Session | undefined;
    const transport = new CometTransport({
      dialect,
      holdMs: cometHoldMs,
      now: () => ctx.clock.now(),
      log: ctx.log,
      maxQueuedBytes,
      // Before `open` resolves there is no entry yet: the sweep closes it then.
      onOverflow: (dropped) => {
        if (opened !== undefined && entries.get(sessionId)?.session === opened) end(sessionId, opened, transport, dropped);
      },
    });
    const session = await manager.open(params, auth.userId, auth.app, sessionId, transport, arrivedAt);
    opened = session;
    entries.set(sessionId, { session, transport });
    send(reply, encodeCometConnectReply({ status: 0, userId: auth.userId, sessionId, timestamp: session.info.connectedAt }));
    await manager.afterConnack(session, auth.app);
    return reply;
  };

  const lookup = (sessionId: string | undefined, reply: FastifyReply, timestrap?: string): CometEntry | undefined => {
    if (sessionId === undefined || sessionId === '' || sessionId === 'null' || sessionId === 'undefined') {
      send(reply, LOST_PARAMS, 400);
      return undefined;
    }
    const entry = entries.get(sessionId);
    if (!entry) send(reply, lostSessionBody(dialectOf(sessionId, timestrap)));
    return entry;
  };

  /**
   * Cluster mode: a request for a session another node owns is relayed there (comet-forwarding.ts).
   * Returns undefined when the request is ours to answer.
   */
  const relayed = (request: FastifyRequest, reply: FastifyReply, sessionId: string | undefined, dialect: () => CometDialect): Promise<FastifyReply> | undefined => {
    if (forwarder === undefined || request.headers[FORWARDED_HEADER] !== undefined) return undefined;
    const owner = forwarder.remoteOwner(sessionId);
    if (owner === undefined) return undefined;
    const body = typeof request.body === 'string' ? request.body : undefined;
    const method = request.method === 'POST' ? 'POST' : 'GET';
    return forwarder.relay(owner, { method, url: request.url, ...(body === undefined ? {} : { body }) }, cometHoldMs + RELAY_MARGIN_MS).then((res) => {
      if (res === undefined) return send(reply, lostSessionBody(dialect()));
      if (reply.sent) return reply;
      return reply.code(res.status).header('access-control-allow-origin', '*').header('cache-control', 'no-store').type(res.contentType).send(res.body);
    });
  };

  // Handlers that answer later resolve with `reply` (fastify then waits for the response to end):
  // resolving with undefined while reply.send() is still in its async onSend hooks made fastify
  // send a second time (ERR_HTTP_HEADERS_SENT, found by the fuzz run).
  const pull = (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> | FastifyReply | void => {
    const query = parseCometQuery(rawQuery(request.url));
    const forwarded = relayed(request, reply, query['sessionid'], () => dialectOf(query['sessionid'] ?? '', query['timestrap']));
    if (forwarded !== undefined) return forwarded;
    const entry = lookup(query['sessionid'], reply, query['timestrap']);
    if (!entry) return;
    const { session, transport } = entry;
    if (transport.drained) {
      forget(session.info.sessionId, transport.dialect);
      return send(reply, lostSessionBody(transport.dialect));
    }
    if (!session.closed) session.touch();
    return new Promise<FastifyReply>((resolve) => {
      const answer = (body: string): void => {
        send(reply, body);
        if (transport.drained) forget(session.info.sessionId, transport.dialect);
        resolve(reply);
      };
      transport.poll(answer);
      reply.raw.once('close', () => {
        // The client went away while we held its poll: free the slot.
        transport.cancelPoll(answer);
        resolve(reply);
      });
    });
  };

  const upstream = (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> | FastifyReply | void => {
    let up;
    try {
      up = parseCometUpstream(rawQuery(request.url));
    } catch (error) {
      if (error instanceof ProtocolError) return send(reply, LOST_PARAMS, 400);
      throw error;
    }
    const forwarded = relayed(request, reply, up.sessionId, () => dialectOf(up.sessionId ?? '', undefined));
    if (forwarded !== undefined) return forwarded;
    const entry = lookup(up.sessionId, reply);
    if (!entry) return;
    const { session, transport } = entry;
    if (transport.drained) {
      forget(session.info.sessionId, transport.dialect);
      return send(reply, lostSessionBody(transport.dialect));
    }
    if (session.closed) return send(reply, '[]');
    const body = typeof request.body === 'string' ? request.body : '';
    let frame: Frame;
    try {
      frame = toFrame(cometUpstreamFrame(up, body), session.info.clientKind);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      // Same rule as a malformed WebSocket frame: only this connection ends.
      ctx.log.info('malformed comet upstream, closing session', logFields(session.info, { code: error.code, message: error.message }));
      session.close();
      return send(reply, '[]');
    }
    const answerable = up.kind === 'query' || (up.kind === 'publish' && up.messageId !== 0);
    if (!answerable) {
      session.receive(frame);
      return send(reply, '[]');
    }
    return new Promise<FastifyReply>((resolve) => {
      transport.expectAnswer(
        up.messageId,
        (text) => {
          send(reply, text);
          resolve(reply);
        },
        cometHoldMs,
      );
      session.receive(frame);
    });
  };

  await fastify.register(async (scope) => {
    // Raw text bodies for the comet POST, whatever the declared content type (encapsulated).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (_request, text, done) => done(null, text));
    scope.get('/websocket', connect);
    scope.post('/websocket', upstream);
    scope.get('/pullmsg.js', pull);
  });

  return {
    get size() {
      return entries.size;
    },
    sweep: () => {
      const now = ctx.clock.now();
      for (const [sessionId, { session, transport }] of entries) {
        const dropped = transport.overflow;
        if (dropped !== undefined) end(sessionId, session, transport, dropped);
        else if (transport.expired(now, cometExpiryMs)) end(sessionId, session, transport);
      }
    },
    close: () => {
      for (const [sessionId, { session, transport }] of entries) {
        session.close();
        transport.release();
        forget(sessionId, transport.dialect);
      }
    },
  };
}

/** Upstream CometFrame (JSON data) → Frame (protobuf payload), the only form sessions see. */
function toFrame(comet: CometFrame, clientKind: ClientKind): Frame {
  switch (comet.kind) {
    case 'publish': {
      const { data, ...rest } = comet;
      return { ...rest, payload: upstreamPayload(comet.topic, data, clientKind) };
    }
    case 'query': {
      const { data, ...rest } = comet;
      return { ...rest, payload: upstreamPayload(comet.topic, data, clientKind) };
    }
    case 'puback':
    case 'querycon':
      return comet;
    default:
      throw new ProtocolError('comet-query', `${comet.kind} is not an upstream signal`);
  }
}

function rawQuery(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q + 1);
}
