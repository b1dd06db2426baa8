/**
 * Frames of the raw `ws` relay peer (ws-relay-server.ts): request `[1][u32 id][u16 target length][target][payload]`,
 * delivery `[2][payload]`, ack `[3][u32 id]`.
 */
export const RELAY_REQUEST = 1;
export const RELAY_DELIVERY = 2;
export const RELAY_ACK = 3;

export function relayRequest(id: number, target: string, payload: Buffer): Buffer {
  const targetBytes = Buffer.from(target, 'utf8');
  const frame = Buffer.allocUnsafe(7 + targetBytes.length + payload.length);
  frame[0] = RELAY_REQUEST;
  frame.writeUInt32BE(id >>> 0, 1);
  frame.writeUInt16BE(targetBytes.length, 5);
  targetBytes.copy(frame, 7);
  payload.copy(frame, 7 + targetBytes.length);
  return frame;
}
