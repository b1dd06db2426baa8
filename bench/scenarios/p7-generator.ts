/**
 * P7 generator (forked by p7-cluster.ts through bench/lib/generator.ts): the P1 closed loop (P1Meter,
 * thin clients, s_ntf → pullMsg) with each client connected to a chosen node of the cluster. `paired`
 * sends from sender i to receiver i only, so the placement of the pair decides whether the path is
 * same-node or cross-node; `random` picks any receiver (the cluster throughput shape).
 */
import { decodeUtf8, encodeByName, encodeUtf8 } from '../../src/internal';
import { generatorMain } from '../lib/generator';
import type { BenchUser } from '../lib/bench-server';
import { InboxPuller, ThinClient, type PulledMessage } from '../lib/thin-client';
import { connectInBatches, messageText, P1Meter, paddingFor, type P1Result, type P1Shape } from '../generators/p1-meter';

export interface PlacedUser extends BenchUser {
  /** Base URL of the node this client connects to. */
  readonly url: string;
}

export interface P7Config extends P1Shape {
  readonly appKey: string;
  readonly senders: readonly PlacedUser[];
  readonly receivers: readonly PlacedUser[];
  readonly targets: 'paired' | 'random';
}

async function main(config: P7Config, phase: (name: string) => void): Promise<P1Result> {
  const t0 = performance.now();
  const connect = (users: readonly PlacedUser[]) => (i: number) => {
    const user = users[i] as PlacedUser;
    return ThinClient.connect({ url: user.url, appKey: config.appKey, token: user.token });
  };
  const receivers = await connectInBatches(config.receivers.length, connect(config.receivers));
  const senders = await connectInBatches(config.senders.length, connect(config.senders));
  const connectMs = performance.now() - t0;

  const meter = new P1Meter(config);
  const padding = paddingFor(config.contentBytes);
  const onMessages = (messages: readonly PulledMessage[]): void => {
    for (const message of messages) meter.onDelivered(decodeUtf8(message.content));
  };
  const pullers = receivers.map((client) => new InboxPuller(client, onMessages));

  const sendOne = (sender: number): void => {
    if (!meter.sending) return;
    const client = senders[sender] as ThinClient;
    const sentAt = performance.now();
    const index = config.targets === 'paired' ? sender % config.receivers.length : Math.floor(Math.random() * config.receivers.length);
    const target = config.receivers[index] as PlacedUser;
    const content = messageText(padding, sentAt, meter.nextId(sender));
    const payload = encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content: encodeUtf8(content), configFlag: 0 });
    meter.onSent();
    void client.publish('ppMsgP', target.userId, payload).then((ack) => {
      meter.onAck(sentAt, ack.status === 0);
      sendOne(sender);
    });
  };

  const result = await meter.run({
    senders: senders.length,
    start: sendOne,
    phase,
    inFlight: () => senders.some((c) => c.inFlight > 0),
    connectMs,
    pullErrors: () => pullers.reduce((n, p) => n + p.errors, 0),
  });
  await Promise.all([...senders, ...receivers].map((c) => c.close()));
  return result;
}

generatorMain(main);
