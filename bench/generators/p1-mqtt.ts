/**
 * P1 generator, aedes peer (bench/peers/aedes-server.ts) with the `mqtt` client: receiver i subscribes
 * `p1/r<i>` at QoS 1; senders publish QoS 1 to a random receiver's topic with the same closed loop and
 * message bytes as our P1 (p1-meter.ts). The PUBACK is the ack; the receiving client acks its deliveries.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { generatorMain } from '../lib/generator';
import { connectInBatches, messageText, P1Meter, paddingFor, type P1Result } from './p1-meter';
import type { P1PeerConfig } from './p1-ws-relay';

function open(url: string, clientId: string): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { clientId, clean: true, reconnectPeriod: 0, keepalive: 60 });
    client.once('connect', () => {
      // As `ws` does for our clients and the relay's: no Nagle delay on small frames (aedes-server.ts).
      (client.stream as { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true);
      resolve(client);
    });
    client.once('error', reject);
  });
}

async function main(config: P1PeerConfig, phase: (name: string) => void): Promise<P1Result> {
  const meter = new P1Meter(config);
  const t0 = performance.now();
  const receivers = await connectInBatches(config.pairs, async (i) => {
    const client = await open(config.url, `r${i}`);
    client.on('message', (_topic: string, payload: Buffer) => meter.onDelivered(payload.toString('utf8')));
    await client.subscribeAsync(`p1/r${i}`, { qos: 1 });
    return client;
  });
  const senders = await connectInBatches(config.pairs, (i) => open(config.url, `s${i}`));
  const connectMs = performance.now() - t0;
  const padding = paddingFor(config.contentBytes);
  let inFlight = 0;

  const sendOne = (sender: number, dueAt?: number): void => {
    if (!meter.sending) return;
    const sentAt = dueAt ?? performance.now();
    const topic = `p1/r${Math.floor(Math.random() * config.pairs)}`;
    inFlight += 1;
    meter.onSent();
    (senders[sender] as MqttClient).publish(topic, messageText(padding, sentAt, meter.nextId(sender)), { qos: 1 }, (error) => {
      inFlight -= 1;
      meter.onAck(sentAt, error === undefined || error === null);
      if (meter.closedLoop) sendOne(sender);
    });
  };

  const result = await meter.run({ senders: senders.length, start: sendOne, phase, inFlight: () => inFlight > 0, connectMs });
  await Promise.all([...senders, ...receivers].map((c) => c.endAsync(true)));
  return result;
}

generatorMain(main);
