/**
 * Comet upstream requests (PROTOCOL.md §10.1 #5): `POST /websocket?messageid=…&header=…&
 * sessionid=…[&topic=…&targetid=…]&pid=…` with the payload JSON as the body.
 *
 * Invariants:
 * - Neither client URL-encodes `topic`/`targetid`, so the raw query string is the faithful input:
 *   pairs split on `&`, key/value on the first `=`, `+` stays `+`, and `%XX` is decoded only when
 *   the whole value is valid percent-encoding (otherwise kept verbatim). A pre-parsed record
 *   (e.g. from an HTTP framework) is accepted too; its first value per key wins.
 * - `header` is the decimal header byte; only PUBLISH (3), PUBACK (4), QUERY (5) and QUERYCON (7)
 *   are upstream signals. `messageid` is any non-negative safe integer (E4's comet counter is
 *   unbounded). Missing/garbled required parameters throw ProtocolError('comet-query').
 * - PUBACK/QUERYCON bodies (E4 `{}`, L2 `""`) carry nothing and are ignored.
 */
import type { FrameFlags } from './frame';
import { flagsOf, kindOfType, typeNibble } from './frame-header';
import type { CometFrame } from './comet-signal';
import { ProtocolError } from './protocol-error';

interface UpstreamBase {
  /** Decimal header byte as sent (80/82 QUERY, 50 PUBLISH, 64 PUBACK, 112 QUERYCON). */
  readonly header: number;
  readonly flags: FrameFlags;
  readonly messageId: number;
  readonly sessionId?: string;
  readonly pid?: string;
}

export type CometUpstream =
  | (UpstreamBase & { readonly kind: 'publish' | 'query'; readonly topic: string; readonly targetId: string })
  | (UpstreamBase & { readonly kind: 'puback' | 'querycon' });

function decodeComponent(raw: string): string {
  if (raw.indexOf('%') < 0) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Lenient query-string parser (see module comment). Accepts a leading `?` or a whole URL. */
export function parseCometQuery(query: string): Record<string, string> {
  const q = query.indexOf('?') >= 0 ? query.slice(query.indexOf('?') + 1) : query;
  const out: Record<string, string> = {};
  for (const pair of q.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodeComponent(eq < 0 ? pair : pair.slice(0, eq));
    if (!Object.prototype.hasOwnProperty.call(out, key)) {
      out[key] = eq < 0 ? '' : decodeComponent(pair.slice(eq + 1));
    }
  }
  return out;
}

function firstString(record: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const v = Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

function integerParam(value: string | undefined, name: string, max: number): number {
  if (value === undefined || !/^[0-9]{1,16}$/.test(value)) {
    throw new ProtocolError('comet-query', `${name}: ${value === undefined ? 'missing' : `"${value}" is not a number`}`);
  }
  const n = Number(value);
  if (n > max) throw new ProtocolError('comet-query', `${name}: ${n} out of range`);
  return n;
}

/** Parses the query of an upstream POST into its frame kind and routing fields. */
export function parseCometUpstream(query: string | Readonly<Record<string, unknown>>): CometUpstream {
  const params = typeof query === 'string' ? parseCometQuery(query) : query;
  const get = (key: string): string | undefined => firstString(params, key);
  const header = integerParam(get('header'), 'header', 0xff);
  const messageId = integerParam(get('messageid'), 'messageid', Number.MAX_SAFE_INTEGER);
  const sessionId = get('sessionid');
  const pid = get('pid');
  const base = {
    header,
    flags: flagsOf(header),
    messageId,
    ...(sessionId === undefined ? {} : { sessionId }),
    ...(pid === undefined ? {} : { pid }),
  };
  const kind = kindOfType(typeNibble(header));
  switch (kind) {
    case 'publish':
    case 'query': {
      const topic = get('topic');
      const targetId = get('targetid');
      if (topic === undefined || topic === '') throw new ProtocolError('comet-query', `${kind}: topic missing`);
      if (targetId === undefined) throw new ProtocolError('comet-query', `${kind}: targetid missing`);
      return { kind, ...base, topic, targetId };
    }
    case 'puback':
    case 'querycon':
      return { kind, ...base };
    default:
      throw new ProtocolError('comet-query', `header ${header} is not an upstream signal`);
  }
}

/** The CometFrame an upstream POST stands for; `body` is the payload JSON text. */
export function cometUpstreamFrame(upstream: CometUpstream, body: string): CometFrame {
  const { flags, messageId } = upstream;
  switch (upstream.kind) {
    case 'publish':
    case 'query':
      return { kind: upstream.kind, ...flags, topic: upstream.topic, targetId: upstream.targetId, messageId, data: body };
    case 'puback':
    case 'querycon':
      return { kind: upstream.kind, ...flags, messageId };
  }
}
