/**
 * P1 generator, our server: `senders` thin clients each keep `window` persisted private messages
 * (`ppMsgP`, qos 1) in flight to random receivers; receivers get them as our SDK does (`direct`: `directPush=1`,
 * stored messages pushed as `s_msg`, pulls when told) or as the official client (`s_ntf` → `pullMsg`).
 * The closed loop and the counting are p1-meter.ts, shared with the peers' generators.
 */
import { decodeUtf8, encodeByName, encodeUtf8 } from '../../src/internal';
import { generatorMain } from '../lib/generator';
import type { BenchUser } from '../lib/bench-server';
import { InboxPuller, ThinClient, type PulledMessage } from '../lib/thin-client';
import { connectInBatches, messageText, P1Meter, paddingFor, type P1Result, type P1Shape } from './p1-meter';

export type { P1Result } from './p1-meter';

export interface P1Config extends P1Shape {
  readonly url: string;
  readonly appKey: string;
  readonly senders: readonly BenchUser[];
  readonly receivers: readonly BenchUser[];
  /** Receivers connect as our SDK (`lianxin=…&directPush=1`) and take direct `s_msg` delivery. */
  readonly direct?: boolean;
}

async function main(config: P1Config, phase: (name: string) => void): Promise<P1Result> {
  const t0 = performance.now();
  const connect = (users: readonly BenchUser[], lianxin?: string) => (i: number) =>
    ThinClient.connect({ url: config.url, appKey: config.appKey, token: (users[i] as BenchUser).token, ...(lianxin !== undefined ? { lianxin } : {}) });
  const receivers = await connectInBatches(config.receivers.length, connect(config.receivers, config.direct === true ? 'bench' : undefined));
  const senders = await connectInBatches(config.senders.length, connect(config.senders));
  const connectMs = performance.now() - t0;

  const meter = new P1Meter(config);
  const padding = paddingFor(config.contentBytes);
  const onMessages = (messages: readonly PulledMessage[]): void => {
    for (const message of messages) meter.onDelivered(decodeUtf8(message.content));
  };
  const pullers = receivers.map((client) => new InboxPuller(client, onMessages, config.direct === true));
  if (config.direct === true) for (const puller of pullers) puller.pull();

  const sendOne = (sender: number, dueAt?: number): void => {
    if (!meter.sending) return;
    const client = senders[sender] as ThinClient;
    const sentAt = dueAt ?? performance.now();
    const target = config.receivers[Math.floor(Math.random() * config.receivers.length)] as BenchUser;
    const content = messageText(padding, sentAt, meter.nextId(sender));
    const payload = encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content: encodeUtf8(content), configFlag: 0 });
    meter.onSent();
    void client.publish('ppMsgP', target.userId, payload).then((ack) => {
      meter.onAck(sentAt, ack.status === 0);
      if (meter.closedLoop) sendOne(sender);
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
