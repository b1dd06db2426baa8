/**
 * Stale-transport guard by construction. Every transport gets its own slot, and the slot's
 * `events` object is the only thing the transport can call. A slot forwards to whichever sink is
 * attached; while none is (between CONNACK and the engine taking over) it buffers; once
 * `discard()`ed it drops everything. The engine discards a slot before it lets go of a transport,
 * so a replaced or closed transport can never reach the engine again, whatever it emits later.
 */
import type { Frame } from '../protocol/frame';
import type { CloseReason, Endpoint, Transport, TransportEvents, TransportFactory } from '../transport/transport';
import type { PlatformAdapter } from '../platform/platform-adapter';

export interface SlotSink {
  onOpen?(): void;
  onFrames(frames: readonly Frame[]): void;
  onClose(reason: CloseReason): void;
}

export class TransportSlot {
  readonly transport: Transport;
  private sink: SlotSink | undefined;
  private discarded = false;
  private opened = false;
  private buffered: Frame[] = [];
  private closeReason: CloseReason | undefined;

  constructor(factory: TransportFactory, endpoint: Endpoint, platform: PlatformAdapter) {
    const events: TransportEvents = {
      onOpen: () => {
        if (this.discarded || this.opened) return;
        this.opened = true;
        this.sink?.onOpen?.();
      },
      onFrames: (frames) => {
        if (this.discarded || this.closeReason !== undefined) return;
        if (this.sink === undefined) this.buffered.push(...frames);
        else this.sink.onFrames(frames);
      },
      onClose: (reason) => {
        if (this.discarded || this.closeReason !== undefined) return;
        this.closeReason = reason;
        this.sink?.onClose(reason);
      },
    };
    this.transport = factory(endpoint, events, platform);
  }

  get isOpen(): boolean {
    return this.opened;
  }

  get isClosed(): boolean {
    return this.closeReason !== undefined;
  }

  /** Routes events to `sink`, first replaying whatever arrived while detached. */
  attach(sink: SlotSink): void {
    if (this.discarded) return;
    this.sink = sink;
    const frames = this.buffered;
    this.buffered = [];
    if (frames.length > 0) sink.onFrames(frames);
    if (this.sink === sink && this.closeReason !== undefined && !this.discarded) sink.onClose(this.closeReason);
  }

  /**
   * Stops delivery and buffers until the next `attach`. `requeue` (frames the detaching sink
   * received but did not consume) goes to the front of the buffer.
   */
  detach(requeue: readonly Frame[] = []): void {
    this.sink = undefined;
    if (requeue.length > 0) this.buffered.unshift(...requeue);
  }

  /** Drops every later event and closes the transport. Idempotent. */
  discard(): void {
    if (this.discarded) return;
    this.discarded = true;
    this.sink = undefined;
    this.buffered = [];
    this.transport.close();
  }
}
