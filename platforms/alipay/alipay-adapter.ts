/**
 * PlatformAdapter for Alipay mini-programs: `createAlipayAdapter(my, options)`.
 *
 * Sockets: `socketMode: 'multiple'` (default) uses my.connectSocket({ multiple: true }) SocketTasks
 * (at most 5); `'single'` drives the one global socket for clients without SocketTask — capability
 * `maxConcurrentSockets: 1`, and a new socket closes the old one and waits for its close before it
 * connects (the host would close the old one itself, but its close would then reach the global
 * listeners beside the new socket's events). Binary frames travel as base64
 * text with `isBuffer: true`; `binaryFrames: false` (clients that cannot send them) refuses
 * sockets so the SDK runs over comet.
 */
import type { PlatformAdapter } from '../../src/platform/platform-adapter';
import { base64FromBytes } from '../shared/host-data';
import { createMiniProgramAdapter, type MiniProgramAdapterOptions } from '../shared/mini-program-adapter';
import { messageOf, type SocketDialect } from '../shared/task-socket';
import { ALIPAY_MAX_SOCKETS, type AlipayHost, type AlipayStorageResult } from './alipay-host';
import { alipayRequest, alipayUpload } from './alipay-request';
import { connectSingleSocket } from './alipay-single-socket';

export interface AlipayAdapterOptions extends MiniProgramAdapterOptions {
  /** 'multiple' (default): SocketTasks; 'single': the global socket of clients without them. */
  readonly socketMode?: 'multiple' | 'single';
  /** Whether the client sends and receives binary frames (default true). */
  readonly binaryFrames?: boolean;
}

function alipaySocket(my: AlipayHost, mode: 'multiple' | 'single'): SocketDialect {
  return {
    connect(url, options, fail) {
      if (mode === 'single') return connectSingleSocket(my, url, options, fail);
      return my.connectSocket({
        url,
        multiple: true,
        ...(options?.headers === undefined ? {} : { header: { ...options.headers } }),
        success: () => undefined,
        fail: (result) => fail(messageOf(result)),
        complete: () => undefined,
      });
    },
    encode: (data) => ({ data: base64FromBytes(data), isBuffer: true }),
  };
}

/**
 * my.setStorageSync reports a refused write (over 200 KB for the key, or the 10 MB total) by its
 * return value, not by throwing; the write then did not happen. It becomes an exception here, so
 * storage.set rejects and the SDK never goes on as if it were stored (user-store removes the old
 * parts of a record only after its new head is written).
 */
function setStorage(my: AlipayHost, key: string, data: unknown): void {
  const result = my.setStorageSync({ key, data }) as AlipayStorageResult | null | undefined;
  if (result === null || typeof result !== 'object' || result.success !== false) return;
  throw new Error(`my.setStorageSync refused ${key}: error ${result.error ?? '?'}: ${result.errorMessage ?? 'not stored'}`);
}

export function createAlipayAdapter(my: AlipayHost, options: AlipayAdapterOptions = {}): PlatformAdapter {
  const mode = options.socketMode ?? 'multiple';
  return createMiniProgramAdapter(
    {
      name: 'alipay',
      capabilities: { maxConcurrentSockets: mode === 'single' ? 1 : ALIPAY_MAX_SOCKETS, binaryFrames: options.binaryFrames ?? true },
      socket: alipaySocket(my, mode),
      request: alipayRequest(my),
      uploadFile: alipayUpload(my),
      storage: {
        get: (key) => my.getStorageSync({ key })?.data,
        set: (key, data) => setStorage(my, key, data),
        remove: (key) => my.removeStorageSync({ key }),
      },
      lifecycle: my,
    },
    options,
  );
}
