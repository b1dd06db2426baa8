/**
 * Composes a PlatformAdapter from one host's pieces (socket dialect, request starter, sync store,
 * lifecycle events). Every mini-program adapter (platforms/<host>/<host>-adapter.ts) is this plus
 * the mapping of its host's API, so the contract-relevant logic exists once.
 *
 * A host without binary WebSocket frames refuses every socket (asynchronously, as a failed open),
 * which makes the connection engine fall back to comet over `request` and remember that. A host
 * without byte request bodies (`capabilities.binaryRequestBodies: false`) refuses a byte body
 * rather than let the host send it as text.
 */
import { HttpRequestError } from '../../src/platform/http-request-error';
import type {
  Clock,
  PlatformAdapter,
  PlatformCapabilities,
  PlatformName,
  PlatformSocket,
  SocketHandlers,
} from '../../src/platform/platform-adapter';
import { hostClock } from './host-globals';
import { createHostLifecycle, type LifecycleHost } from './host-lifecycle';
import { hostRequest, type HostRequestStarter } from './host-request';
import { createHostStorage, type SyncStore } from './host-storage';
import { hostUpload, type HostBytesUpload, type HostUploadStarter } from './host-upload';
import { SocketGate } from './socket-gate';
import { openTaskSocket, type SocketDialect } from './task-socket';
import { wxStyleRequest, wxStyleSocket, wxStyleStore, wxStyleUpload, type WxStyleHost } from './wx-style';

export interface MiniProgramAdapterOptions {
  /** Prefix of every storage key this adapter writes (default `lianxin:`). */
  readonly storagePrefix?: string;
  /** Replaces the host's timers (tests). */
  readonly clock?: Clock;
}

export const DEFAULT_STORAGE_PREFIX = 'lianxin:';

export interface MiniProgramParts {
  readonly name: PlatformName;
  readonly capabilities: PlatformCapabilities;
  readonly socket: SocketDialect;
  readonly request: HostRequestStarter;
  /** The host's file uploader; bytes uploads go through `request`, or through `viaBytes` when given. */
  readonly uploadFile: HostUploadStarter | undefined;
  /** Hosts whose `request` cannot send bytes: how byte uploads go instead (./temp-file-upload.ts). */
  readonly viaBytes?: HostBytesUpload;
  readonly storage: SyncStore;
  readonly lifecycle: LifecycleHost;
}

function refusedSocket(clock: Clock, handlers: SocketHandlers, why: string): PlatformSocket {
  let closed = false;
  clock.setTimeout(() => {
    if (closed) return;
    closed = true;
    handlers.onError(new Error(why));
    handlers.onClose(1006, why);
  }, 0);
  return {
    send: () => undefined,
    close: () => {
      if (closed) return;
      closed = true;
      clock.setTimeout(() => handlers.onClose(1000, ''), 0);
    },
  };
}

export function createMiniProgramAdapter(parts: MiniProgramParts, options: MiniProgramAdapterOptions = {}): PlatformAdapter {
  const clock = options.clock ?? hostClock;
  const gate = new SocketGate(parts.capabilities.maxConcurrentSockets);
  return {
    name: parts.name,
    capabilities: parts.capabilities,
    openSocket: (url, handlers, socketOptions) =>
      parts.capabilities.binaryFrames
        ? openTaskSocket(parts.socket, gate, clock, url, handlers, socketOptions)
        : refusedSocket(clock, handlers, `${parts.name}: this host has no binary WebSocket frames; use comet`),
    request: (request) =>
      typeof request.body === 'object' && parts.capabilities.binaryRequestBodies === false
        ? { response: Promise.reject(new HttpRequestError('network', `${parts.name}: request sends string bodies only`)), abort: () => undefined }
        : hostRequest(parts.request, clock, request),
    upload: (upload) => hostUpload(parts.uploadFile, parts.request, clock, upload, parts.viaBytes),
    storage: createHostStorage(parts.storage, options.storagePrefix ?? DEFAULT_STORAGE_PREFIX),
    clock,
    lifecycle: createHostLifecycle(parts.lifecycle),
  };
}

/**
 * The adapter of a host of the wx API family (wx, tt, swan, uni): the shared mapping, parameterised
 * by the host's quirks (its name, socket limit, the `dataType` value that leaves bodies unparsed).
 */
export function createWxStyleAdapter(
  host: WxStyleHost,
  name: PlatformName,
  maxConcurrentSockets: number,
  rawDataType: string,
  options: MiniProgramAdapterOptions,
  binaryFrames = true,
): PlatformAdapter {
  return createMiniProgramAdapter(
    {
      name,
      capabilities: { maxConcurrentSockets, binaryFrames },
      socket: wxStyleSocket(host),
      request: wxStyleRequest(host, { rawDataType }),
      uploadFile: wxStyleUpload(host),
      storage: wxStyleStore(host),
      lifecycle: host,
    },
    options,
  );
}
