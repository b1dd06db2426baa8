/**
 * PlatformAdapter for Node.js: `ws` sockets, node:http(s) requests and multipart uploads (bytes or a
 * file path, node-upload.ts), in-memory or JSON-file storage, the real clock, and no lifecycle events
 * (a server process has no foreground). No thumbnails: Node has no image decoder built in.
 */
import type { Clock, KeyValueStorage, LifecycleEvents, PlatformAdapter } from '../../src/platform/platform-adapter';
import { nodeRequest } from './node-http';
import { openNodeSocket } from './node-socket';
import { createFileStorage, createMemoryStorage } from './node-storage';
import { nodeUpload } from './node-upload';

export interface NodeAdapterOptions {
  /** Persist storage to this JSON file; default is in-memory (lost on exit). */
  readonly storageFile?: string;
  /** Replaces the built-in storage (wins over `storageFile`). */
  readonly storage?: KeyValueStorage;
  /** Replaces the real clock (tests). */
  readonly clock?: Clock;
  /** Replaces the no-op lifecycle (tests simulating network changes). */
  readonly lifecycle?: LifecycleEvents;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

const noop = (): void => undefined;
export const noLifecycle: LifecycleEvents = {
  onNetworkChange: () => noop,
  onForeground: () => noop,
  onBackground: () => noop,
};

export function createNodeAdapter(options: NodeAdapterOptions = {}): PlatformAdapter {
  const storage =
    options.storage ?? (options.storageFile === undefined ? createMemoryStorage() : createFileStorage(options.storageFile));
  return {
    name: 'node',
    capabilities: { maxConcurrentSockets: Number.POSITIVE_INFINITY, binaryFrames: true },
    openSocket: openNodeSocket,
    request: nodeRequest,
    upload: nodeUpload,
    storage,
    clock: options.clock ?? realClock,
    lifecycle: options.lifecycle ?? noLifecycle,
  };
}
