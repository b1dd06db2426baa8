/**
 * CMP frames (PROTOCOL.md §4). One WebSocket message carries exactly one frame; there is no
 * length prefix, no checksum and no CONNECT from web clients. Layouts differ by direction:
 * a server→client PUBLISH has a leading u32 date, a server→client PUBACK carries
 * date/status/millisecond/messageUId, a client→server PUBACK only the messageId.
 */
export const FrameType = {
  Connect: 1,
  Connack: 2,
  Publish: 3,
  Puback: 4,
  Query: 5,
  QueryAck: 6,
  QueryCon: 7,
  PingReq: 12,
  PingResp: 13,
  Disconnect: 14,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Who wrote the bytes: decides the PUBLISH/PUBACK layout. */
export type FrameOrigin = 'client' | 'server';

/** Header byte flags: `type<<4 | dup<<3 | qos<<1 | retain`. */
export interface FrameFlags {
  readonly dup: boolean;
  readonly qos: number;
  readonly retain: boolean;
}

export interface ConnectFrame extends FrameFlags {
  readonly kind: 'connect';
  readonly protocolName: string;
  readonly protocolVersion: number;
  readonly connectFlags: number;
  readonly keepAlive: number;
  readonly clientId: string;
  readonly willTopic?: string;
  readonly will?: string;
  readonly appId?: string;
  readonly token?: string;
}

export interface ConnackFrame extends FrameFlags {
  readonly kind: 'connack';
  readonly status: number;
  /** Extended part (required for a successful connect): present together or not at all. */
  readonly userId?: string;
  readonly sessionId?: string;
  /** Server time, ms. */
  readonly timestamp?: number;
}

export interface PublishFrame extends FrameFlags {
  readonly kind: 'publish';
  /** Seconds; only in server→client PUBLISH (absent when origin is 'client'). */
  readonly date?: number;
  readonly topic: string;
  readonly targetId: string;
  readonly messageId: number;
  readonly payload: Uint8Array;
}

export interface PubackFrame extends FrameFlags {
  readonly kind: 'puback';
  readonly messageId: number;
  /** The following four are present only in server→client PUBACKs. */
  readonly date?: number;
  readonly status?: number;
  readonly millisecond?: number;
  readonly messageUId?: string;
}

export interface QueryFrame extends FrameFlags {
  readonly kind: 'query';
  readonly topic: string;
  readonly targetId: string;
  readonly messageId: number;
  readonly payload: Uint8Array;
}

export interface QueryAckFrame extends FrameFlags {
  readonly kind: 'queryack';
  readonly messageId: number;
  readonly date: number;
  readonly status: number;
  readonly payload: Uint8Array;
}

export interface QueryConFrame extends FrameFlags {
  readonly kind: 'querycon';
  readonly messageId: number;
}

export interface PingReqFrame extends FrameFlags {
  readonly kind: 'pingreq';
}

export interface PingRespFrame extends FrameFlags {
  readonly kind: 'pingresp';
}

export interface DisconnectFrame extends FrameFlags {
  readonly kind: 'disconnect';
  readonly reason: number;
}

export type Frame =
  | ConnectFrame
  | ConnackFrame
  | PublishFrame
  | PubackFrame
  | QueryFrame
  | QueryAckFrame
  | QueryConFrame
  | PingReqFrame
  | PingRespFrame
  | DisconnectFrame;

export type FrameKind = Frame['kind'];
