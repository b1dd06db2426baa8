/**
 * P1 generator, raw `ws` relay peer (bench/peers/ws-relay-server.ts): the same closed loop and message
 * bytes as our P1 (p1-meter.ts); an ack means "forwarded", nothing is stored.
 */
import WebSocket from 'ws';
import { generatorMain } from '../lib/generator';
import { RELAY_ACK, RELAY_DELIVERY, relayRequest } from '../peers/ws-relay-protocol';
import { connectInBatches, messageText, P1Meter, paddingFor, type P1Result, type P1Shape } from './p1-meter';

export interface P1PeerConfig extends P1Shape {
  /** `ws://127.0.0.1:PORT` for the relay, `mqtt://127.0.0.1:PORT` for aedes. */
  readonly url: string;
  readonly pairs: number;
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function main(config: P1PeerConfig, phase: (name: string) => void): Promise<P1Result> {
  const meter = new P1Meter(config);
  const t0 = performance.now();
  const receivers = await connectInBatches(config.pairs, (i) => open(`${config.url}/?id=r${i}`));
  for (const ws of receivers) {
    ws.on('message', (data: Buffer) => {
      if (data[0] === RELAY_DELIVERY) meter.onDelivered(data.toString('utf8', 1));
    });
  }
  const senders = await connectInBatches(config.pairs, (i) => open(`${config.url}/?id=s${i}`));
  const connectMs = performance.now() - t0;
  const padding = paddingFor(config.contentBytes);
  let inFlight = 0;
  let nextRequest = 1;
  const pending = new Map<number, { sender: number; sentAt: number }>();

  const sendOne = (sender: number, dueAt?: number): void => {
    if (!meter.sending) return;
    const sentAt = dueAt ?? performance.now();
    const id = nextRequest++;
    const target = `r${Math.floor(Math.random() * config.pairs)}`;
    pending.set(id, { sender, sentAt });
    inFlight += 1;
    meter.onSent();
    (senders[sender] as WebSocket).send(relayRequest(id, target, Buffer.from(messageText(padding, sentAt, meter.nextId(sender)), 'utf8')));
  };
  for (const ws of senders) {
    ws.on('message', (data: Buffer) => {
      if (data[0] !== RELAY_ACK) return;
      const id = data.readUInt32BE(1);
      const request = pending.get(id);
      if (request === undefined) return;
      pending.delete(id);
      inFlight -= 1;
      meter.onAck(request.sentAt, true);
      if (meter.closedLoop) sendOne(request.sender);
    });
  }

  const result = await meter.run({ senders: senders.length, start: sendOne, phase, inFlight: () => inFlight > 0, connectMs });
  for (const ws of [...senders, ...receivers]) ws.terminate();
  return result;
}

generatorMain(main);
