/**
 * An engine-level `ImMessage` for unit tests of the client stores (unread, receipts, tags, typing): a received
 * private text, persisted and counted, with every field set; `overrides` replace any of them.
 */
import type { ImMessage } from '../../src/client/services/im-message';

export function imMessage(overrides: Partial<ImMessage> = {}): ImMessage {
  return {
    conversationType: 1,
    targetId: 'peer',
    senderUserId: 'peer',
    objectName: 'RC:TxtMsg',
    content: { content: 'x' },
    contentText: '{"content":"x"}',
    messageUId: 'U1',
    sentTime: 1,
    direction: 2,
    offline: false,
    persisted: true,
    counted: true,
    status: false,
    mentioned: false,
    retrieved: false,
    disableNotification: false,
    canIncludeExpansion: false,
    expansion: null,
    ...overrides,
  };
}

/** A status/command message the stores neither persist nor count (receipts, typing). */
export function statusMessage(overrides: Partial<ImMessage> = {}): ImMessage {
  return imMessage({ contentText: '', persisted: false, counted: false, ...overrides });
}
