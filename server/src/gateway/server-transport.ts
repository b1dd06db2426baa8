/**
 * One live connection as the session sees it (Centrifuge Transport: write/close + kind). The
 * session speaks Frames with protobuf payloads only; each transport encodes them for its wire
 * (binary CMP over WebSocket, JSON signal objects over comet).
 */
import type { Frame } from '../../../src/internal';

export interface WriteHint {
  /** The topic of the QUERY a QUERYACK answers: comet needs it to pick the JSON output type. */
  readonly topic?: string;
}

export interface ServerTransport {
  readonly kind: 'websocket' | 'comet';
  /** Queues one frame; never throws (a broken connection just drops it). */
  write(frame: Frame, hint?: WriteHint): void;
  /**
   * Ends the connection after frames already written have been flushed. `reason` is the
   * DISCONNECT reason the session sent before, if any (comet keeps it for late polls).
   */
  close(reason?: number): void;
}
