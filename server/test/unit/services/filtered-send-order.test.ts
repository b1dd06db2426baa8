/**
 * filteredSend and the session's send pipelining (issue #12 P1): a send whose filter verdict is asynchronous
 * tells the session (SessionPort.deferOrder) before it waits, so the session starts no later send of the same
 * connection ahead of its store append; a send screened synchronously does not.
 */
import type { PublishFrame } from '../../../../src/internal';
import type { SessionInfo, SessionPort } from '../../../src/gateway/topic-router';
import type { ConversationKind, SendAck, SendRequest } from '../../../src/services/conversation-kind';
import { filteredSend } from '../../../src/services/filtered-send';
import { MessageFilterChain, PASS, type FilterVerdict } from '../../../src/services/message-filter-chain';

const info: SessionInfo = { sessionId: 'n.1', appKey: 'k', userId: 'bob', platform: 'web', clientKind: 'E4', sdkVer: '2.9.2', transport: 'websocket', connectedAt: 1 };

function request(port: SessionPort): SendRequest {
  const frame: PublishFrame = { kind: 'publish', dup: false, qos: 1, retain: false, topic: 'ppMsgP', targetId: 'alice', messageId: 1, payload: new Uint8Array(0) };
  return { port, frame, up: { sessionId: 3, classname: 'RC:TxtMsg', content: new Uint8Array([123, 125]) } as SendRequest['up'], conversationType: 1, statusTopic: false };
}

function recordingPort(events: string[]): SessionPort {
  return {
    info,
    puback: () => events.push('puback'),
    queryAck: () => undefined,
    push: () => undefined,
    deferOrder: () => events.push('deferOrder'),
    takeSendPermit: () => true,
  };
}

const kind = (events: string[]): ConversationKind =>
  ({
    send: (): Promise<SendAck> => {
      events.push('append');
      return Promise.resolve({ status: 0, sentTime: 1, messageUId: 'AAAA-AAAA-AAAA-AAAA' });
    },
    recallRecipients: async () => [],
  }) as unknown as ConversationKind;

function chainWith(check: () => FilterVerdict | Promise<FilterVerdict>): MessageFilterChain {
  const chain = new MessageFilterChain();
  chain.addFilter({ name: 'test', order: 1, check });
  return chain;
}

describe('filteredSend and deferOrder', () => {
  it('appends within the call and does not defer when the verdict is synchronous', async () => {
    const events: string[] = [];
    const answered = filteredSend(chainWith(() => PASS), kind(events), request(recordingPort(events)), (r, ack) => r.port.puback(r.frame.messageId, ack));
    expect(events).toEqual(['append']);
    await answered;
    expect(events).toEqual(['append', 'puback']);
  });

  it('defers the order before waiting for an asynchronous verdict, then appends', async () => {
    const events: string[] = [];
    let release = (): void => undefined;
    const verdict = new Promise<FilterVerdict>((resolve) => {
      release = () => resolve(PASS);
    });
    const answered = filteredSend(chainWith(() => verdict), kind(events), request(recordingPort(events)), (r, ack) => r.port.puback(r.frame.messageId, ack));
    expect(events).toEqual(['deferOrder']);
    release();
    await answered;
    expect(events).toEqual(['deferOrder', 'append', 'puback']);
  });
});
