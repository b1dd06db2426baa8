/**
 * One simulated phone under a host simulator: its network (online/offline), the app's visibility
 * (show/hide, with the hosts' "network is cut 5 s after going to the background"), its key/value
 * storage, and the bookkeeping tests assert on (live sockets and their peak, connect failures — a
 * connect the host refused, or one that made the host drop a live socket —, and
 * every call an adapter made that the host documents as invalid — `misuse` must stay empty).
 * Host-specific objects (wx, tt, swan, my, uni) are built on top of it in the *-simulator files.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface NetworkStatusEvent {
  readonly isConnected: boolean;
  readonly networkType: string;
}

type Listener<T> = (value: T) => void;

/** A host event with `on`/`off` semantics: off(listener) removes one, off() removes all. */
export class HostEvent<T> {
  private listeners: Array<Listener<T>> = [];
  on(listener: Listener<T>): void {
    this.listeners.push(listener);
  }
  off(listener?: Listener<T>): void {
    this.listeners = listener === undefined ? [] : this.listeners.filter((l) => l !== listener);
  }
  emit(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
  get size(): number {
    return this.listeners.length;
  }
}

export type InterruptReason = 'offline' | 'background' | 'flap' | 'shutdown';

/** Something the device can cut (a socket or an in-flight request). */
export interface Interruptible {
  interrupt(why: InterruptReason): void;
}

export interface DeviceOptions {
  /** How long after `hide()` the host cuts sockets and requests (hosts document 5 s). */
  readonly backgroundCutMs?: number;
}

export class SimulatedDevice {
  readonly networkChange = new HostEvent<NetworkStatusEvent>();
  readonly appShow = new HostEvent<{ readonly path: string; readonly scene: number }>();
  readonly appHide = new HostEvent<Record<string, never>>();
  /** Raw stored JSON per key, as a host persists it. */
  readonly storage = new Map<string, string>();
  /** Local files by host path (what wx.chooseImage & co. hand out as `tempFilePath`). */
  readonly files = new Map<string, Uint8Array>();
  readonly misuse: string[] = [];
  readonly connectFailures: string[] = [];
  socketsOpened = 0;
  liveSockets = 0;
  peakLiveSockets = 0;
  private online = true;
  private visible = true;
  private cut = false;
  private cutTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly active = new Set<Interruptible>();
  private readonly backgroundCutMs: number;
  private userDir: string | undefined;

  constructor(options: DeviceOptions = {}) {
    this.backgroundCutMs = options.backgroundCutMs ?? 5_000;
  }

  /**
   * The phone's "local user files" (a host's `env.USER_DATA_PATH`): a real directory, made on first
   * use and removed by `shutdown()`.
   */
  get userDataDir(): string {
    this.userDir ??= mkdtempSync(path.join(tmpdir(), 'lianxin-user-files-'));
    return this.userDir;
  }

  get isOnline(): boolean {
    return this.online;
  }

  /** Sockets and requests alive right now: what `dropConnections()` would cut. */
  get cuttable(): number {
    return this.active.size;
  }

  /** Why new network calls fail right now, or undefined when they may go out. */
  get blocked(): 'offline' | 'background' | undefined {
    if (!this.online) return 'offline';
    return this.cut ? 'background' : undefined;
  }

  /** What the store would hold (keys and values, UTF-8 bytes) with `key` set to `json`: hosts cap the total. */
  storageBytesWith(key: string, json: string): number {
    let total = Buffer.byteLength(key) + Buffer.byteLength(json);
    for (const [k, v] of this.storage) if (k !== key) total += Buffer.byteLength(k) + Buffer.byteLength(v);
    return total;
  }

  noteMisuse(what: string): void {
    this.misuse.push(what);
  }

  track(item: Interruptible): () => void {
    this.active.add(item);
    return () => this.active.delete(item);
  }

  socketOpened(): void {
    this.socketsOpened += 1;
    this.liveSockets += 1;
    this.peakLiveSockets = Math.max(this.peakLiveSockets, this.liveSockets);
  }

  socketGone(): void {
    this.liveSockets -= 1;
  }

  /** Network lost: the host reports it, then every socket and request dies. */
  goOffline(): void {
    if (!this.online) return;
    this.online = false;
    this.networkChange.emit({ isConnected: false, networkType: 'none' });
    this.interruptAll('offline');
  }

  goOnline(): void {
    if (this.online) return;
    this.online = true;
    this.networkChange.emit({ isConnected: true, networkType: 'wifi' });
  }

  /** The app goes to the background; `backgroundCutMs` later the host cuts the network. */
  hide(): void {
    if (!this.visible) return;
    this.visible = false;
    this.appHide.emit({});
    this.cutTimer = setTimeout(() => {
      this.cut = true;
      this.interruptAll('background');
    }, this.backgroundCutMs);
  }

  show(): void {
    if (this.visible) return;
    this.visible = true;
    if (this.cutTimer !== undefined) clearTimeout(this.cutTimer);
    this.cut = false;
    this.appShow.emit({ path: 'pages/index/index', scene: 1001 });
  }

  /** A network blip the host does not report: every socket and request dies, new ones work. */
  dropConnections(): void {
    this.interruptAll('flap');
  }

  /** Test teardown: cut everything still open. */
  shutdown(): void {
    if (this.cutTimer !== undefined) clearTimeout(this.cutTimer);
    this.interruptAll('shutdown');
    if (this.userDir !== undefined) rmSync(this.userDir, { recursive: true, force: true });
    this.userDir = undefined;
  }

  private interruptAll(why: InterruptReason): void {
    for (const item of [...this.active]) item.interrupt(why);
  }
}

/** A copy in THIS realm: Buffers from Node core are not `instanceof` the test realm's ArrayBuffer. */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}

export function isArrayBuffer(value: unknown): value is ArrayBuffer {
  return Object.prototype.toString.call(value) === '[object ArrayBuffer]';
}

export function later(work: () => void): void {
  setTimeout(work, 0);
}
