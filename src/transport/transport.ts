/**
 * One connection to one CMP host, over WebSocket or comet long-polling. The engine only ever
 * sees Frames (protobuf payloads as bytes); each transport owns its wire encoding.
 *
 * Contract for implementations: no event is emitted synchronously from the factory; `onOpen`
 * at most once; `onClose` exactly once (also after a failed open and after `close()`), and
 * nothing is emitted after it. `send` before open or after close is dropped.
 */
import type { Frame } from '../protocol/frame';
import type { PlatformAdapter } from '../platform/platform-adapter';

export type TransportKind = 'websocket' | 'comet';

/** Where and as whom to connect. */
export interface Endpoint {
  /** `host[:port]` from navi, no scheme. */
  readonly host: string;
  /** wss/https when the navi URL was https. */
  readonly secure: boolean;
  readonly appKey: string;
  /** Token as sent on the wire (a `@navi` suffix already reduced to `@`). */
  readonly token: string;
  /** `sdkVer` query value: the RongIMLib API version we are compatible with (server picks behaviour by it). */
  readonly sdkVersion: string;
  /** Our own version, sent as `lianxin=` so a Lianxin server can tell us apart. */
  readonly lianxinVersion: string;
}

export type CloseReason =
  /** `close()` was called. */
  | { readonly kind: 'local' }
  /** The socket closed (peer, network, or a failed open). */
  | { readonly kind: 'socket-closed'; readonly code: number; readonly reason: string }
  /** A comet request failed or answered with an unusable status/body. */
  | { readonly kind: 'http-failed'; readonly status: number; readonly message: string }
  /** The peer sent bytes that are not a frame. */
  | { readonly kind: 'protocol-error'; readonly message: string };

export interface TransportEvents {
  onOpen(): void;
  onFrames(frames: readonly Frame[]): void;
  onClose(reason: CloseReason): void;
}

export interface Transport {
  readonly kind: TransportKind;
  readonly endpoint: Endpoint;
  send(frame: Frame): void;
  /** Idempotent; emits onClose({ kind: 'local' }) once unless already closed. */
  close(): void;
}

export type TransportFactory = (endpoint: Endpoint, events: TransportEvents, platform: PlatformAdapter) => Transport;
