/**
 * One connect attempt: navi → /ping probe → transports × hosts until a CONNACK arrives
 * (PROTOCOL.md §1). Pure sequencing over the PlatformAdapter; navi is bounded per navigator
 * (10 s each, all tried, none → 30007), the caller owns the rest's timeout (via `cancel`,
 * armed on `onNaviResolved`), state and what happens with the result. On success the transport is handed over
 * inside a detached TransportSlot, frames that arrived after the CONNACK buffered in it.
 */
import type { ConnackFrame } from '../protocol/frame';
import type { PlatformAdapter, TimerId } from '../platform/platform-adapter';
import type { Cancellation } from '../transport/cancellation';
import { createCometTransport } from '../transport/comet-transport';
import { probeHosts } from '../transport/host-probe';
import { fetchNavi, normalizeNavigators, splitToken, type NaviInfo, type NaviOutcome } from '../transport/navi';
import type { TransportFactory, TransportKind } from '../transport/transport';
import {
  loadPreference,
  rememberOutcome,
  transportOrder,
  type ConnectionTypeOption,
} from '../transport/transport-selector';
import { createWebSocketTransport } from '../transport/websocket-transport';
import { connackOutcome } from './connack-status';
import type { StateCause } from './connection-states';
import { EngineCode } from './engine-error';
import type { NaviCache } from './navi-cache';
import { TransportSlot } from './transport-slot';

export interface AttemptTiming {
  readonly naviTimeoutMs: number;
  readonly pingTimeoutMs: number;
  /** From creating a transport to its CONNACK (the official client waits 5 s per host). */
  readonly hostTimeoutMs: number;
}

export const DEFAULT_ATTEMPT_TIMING: AttemptTiming = { naviTimeoutMs: 10_000, pingTimeoutMs: 5_000, hostTimeoutMs: 5_000 };

const FACTORIES: Readonly<Record<TransportKind, TransportFactory>> = {
  websocket: createWebSocketTransport,
  comet: createCometTransport,
};

const MAX_REDIRECTS = 3;

export interface AttemptConfig {
  readonly platform: PlatformAdapter;
  readonly appKey: string;
  readonly navigators: readonly string[];
  /** The token as the app gave it (may carry `@navi;navi`). */
  readonly token: string;
  readonly sdkVersion: string;
  readonly lianxinVersion: string;
  readonly connectionType: ConnectionTypeOption;
  readonly naviCache: NaviCache;
  readonly random: () => number;
  readonly timing: AttemptTiming;
  /** Navi answered (from the cache too): what follows is bounded by the caller's connect timeout. */
  readonly onNaviResolved?: () => void;
}

export interface AcceptedSession {
  readonly userId: string;
  readonly sessionId: string;
  /** Server time at CONNACK, ms (local time when the server sent none). */
  readonly timestamp: number;
}

export type AttemptResult =
  | { readonly ok: true; readonly slot: TransportSlot; readonly session: AcceptedSession; readonly navi: NaviInfo }
  | { readonly ok: false; readonly code: number; readonly cause: StateCause };

type HostResult =
  | { readonly kind: 'connack'; readonly slot: TransportSlot; readonly connack: ConnackFrame }
  /** `opened`: the transport itself worked (the host then failed to answer), so another transport kind will not help. */
  | { readonly kind: 'failed'; readonly opened: boolean };

function failure(code: number, cause?: StateCause): AttemptResult {
  return { ok: false, code, cause: cause ?? { kind: 'network', code } };
}

/** Opens one transport and waits for its CONNACK, a close, the per-host timeout or cancellation. */
function tryHost(cfg: AttemptConfig, kind: TransportKind, host: string, navi: NaviInfo, wireToken: string, cancel: Cancellation): Promise<HostResult> {
  return new Promise((resolve) => {
    const slot = new TransportSlot(
      FACTORIES[kind],
      { host, secure: navi.secure, appKey: cfg.appKey, token: wireToken, sdkVersion: cfg.sdkVersion, lianxinVersion: cfg.lianxinVersion },
      cfg.platform,
    );
    let done = false;
    let timer: TimerId | undefined;
    let offCancel: () => void = () => undefined;
    const fail = (): void => finish({ kind: 'failed', opened: slot.isOpen });
    const finish = (result: HostResult): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) cfg.platform.clock.clearTimeout(timer);
      offCancel();
      if (result.kind === 'failed') slot.discard();
      resolve(result);
    };
    slot.attach({
      onFrames(frames) {
        const at = frames.findIndex((f) => f.kind === 'connack');
        const connack = frames[at];
        if (connack?.kind !== 'connack') return; // nothing precedes CONNACK on a sane server
        slot.detach(frames.slice(at + 1));
        finish({ kind: 'connack', slot, connack });
      },
      onClose: fail,
    });
    if (done) return;
    timer = cfg.platform.clock.setTimeout(fail, cfg.timing.hostTimeoutMs);
    // Registered last: when already cancelled (even from inside the factory) this runs at once.
    offCancel = cancel.onCancel(fail);
  });
}

async function resolveNavi(cfg: AttemptConfig, navigators: readonly string[], wireToken: string, first: TransportKind, cancel: Cancellation): Promise<NaviOutcome> {
  const cached = cfg.naviCache.get(cfg.token, cfg.platform.clock.now());
  if (cached !== undefined) return { kind: 'ok', info: cached };
  const outcome = await fetchNavi(
    cfg.platform,
    {
      navigators,
      file: first === 'comet' ? 'cometnavi.js' : 'navi.js',
      appKey: cfg.appKey,
      wireToken,
      version: cfg.sdkVersion,
      timeoutMs: cfg.timing.naviTimeoutMs,
    },
    cancel,
  );
  if (outcome.kind === 'ok') cfg.naviCache.set(cfg.token, outcome.info, cfg.platform.clock.now());
  return outcome;
}

/** Runs one attempt. When `cancel` fires the result is a failure the caller should ignore. */
export async function attemptConnect(cfg: AttemptConfig, cancel: Cancellation): Promise<AttemptResult> {
  const { wireToken, naviHosts } = splitToken(cfg.token);
  const navigators = normalizeNavigators([...naviHosts, ...cfg.navigators]);
  const order = transportOrder(cfg.connectionType, await loadPreference(cfg.platform.storage, cfg.appKey), cfg.platform.clock.now());
  const first = order[0] ?? 'websocket';

  for (let redirects = 0; redirects <= MAX_REDIRECTS; redirects++) {
    const naviOutcome = await resolveNavi(cfg, navigators, wireToken, first, cancel);
    if (cancel.isCancelled) return failure(EngineCode.Unknown);
    if (naviOutcome.kind === 'token-rejected') return failure(EngineCode.TokenIncorrect, { kind: 'token-incorrect' });
    if (naviOutcome.kind === 'app-rejected') return failure(EngineCode.IdentifierRejected, { kind: 'rejected', code: EngineCode.IdentifierRejected });
    if (naviOutcome.kind !== 'ok') return failure(EngineCode.NaviFailed);
    const navi = naviOutcome.info;
    cfg.onNaviResolved?.();
    // `type: 1` marks a private-cloud navi meant for another SDK build; the official client refuses it.
    if (navi.raw['type'] === 1) return failure(EngineCode.PackageEnvironment, { kind: 'rejected', code: EngineCode.PackageEnvironment });
    if (navi.hosts.length === 0) return failure(EngineCode.NoHostInNavi);

    const reachable = await probeHosts(cfg.platform, navi.hosts, navi.secure, cancel, cfg.random, cfg.timing.pingTimeoutMs);
    if (cancel.isCancelled) return failure(EngineCode.Unknown);
    if (reachable.length === 0) {
      cfg.naviCache.clear();
      return failure(EngineCode.NoHostReachable);
    }

    // Host by host; on each host the transports in preference order. A transport that cannot even
    // open (WebSocket blocked by a proxy, no WebSocket on the host) falls back to the next kind on
    // the same host at once, so the fallback fits in the connect budget; a transport that opened
    // but got no CONNACK means the host is bad, so the next host is tried instead.
    let redirected = false;
    hosts: for (const host of reachable) {
      for (const kind of order) {
        if (cancel.isCancelled) return failure(EngineCode.Unknown);
        const result = await tryHost(cfg, kind, host, navi, wireToken, cancel);
        if (cancel.isCancelled) {
          if (result.kind === 'connack') result.slot.discard();
          return failure(EngineCode.Unknown);
        }
        if (result.kind === 'failed') {
          if (result.opened) continue hosts;
          continue;
        }
        const outcome = connackOutcome(result.connack.status);
        if (outcome.kind === 'accepted') {
          await rememberOutcome(cfg.platform.storage, cfg.appKey, order, kind, cfg.platform.clock.now());
          if (cancel.isCancelled) {
            result.slot.discard();
            return failure(EngineCode.Unknown);
          }
          const { userId, sessionId, timestamp } = result.connack;
          return {
            ok: true,
            slot: result.slot,
            navi,
            session: { userId: userId ?? '', sessionId: sessionId ?? '', timestamp: timestamp ?? cfg.platform.clock.now() },
          };
        }
        result.slot.discard();
        if (outcome.kind === 'refused') return failure(outcome.code, outcome.cause);
        redirected = true;
        break hosts;
      }
    }
    if (!redirected) {
      cfg.naviCache.clear();
      return failure(EngineCode.NetUnavailable);
    }
    cfg.naviCache.clear();
  }
  return failure(EngineCode.Redirected);
}
