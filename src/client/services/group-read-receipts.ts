/**
 * Group read receipts v2 (PROTOCOL.md §6.3, §7.4, §9.10; E4 only, used when navi `grpRRVer` is 1):
 * `rrMsg` tells the server the user read these messages of a group, `rrList` asks who read one of
 * the user's messages. Both target the group id. Whether v2 is enabled is the facade's decision.
 */
import { SdkError } from '../../errors';
import { decodeByName, encodeByName } from '../../protocol/messages';
import type { ServiceEngine } from './engine-port';

/** `getMessageReader`'s result (R292 `IMessageReaderResponse`). */
export interface MessageReaders {
  readonly totalMemberCount: number;
  readonly list: Array<{ userId: string; readTime: number }>;
}

export class GroupReadReceipts {
  constructor(private readonly engine: Pick<ServiceEngine, 'query'>) {}

  /** `rrMsg`: the user read `messageUIds` in group `groupId`. */
  async markRead(groupId: string, messageUIds: readonly string[]): Promise<void> {
    const ack = await this.engine.query('rrMsg', groupId, encodeByName('GrpReadReceiptMsg', { msgId: [...messageUIds] }));
    if (ack.status !== 0) throw new SdkError(ack.status);
  }

  /** `rrList`: who read `messageUId` (oldest read first) and the group's member count. */
  async readers(groupId: string, messageUId: string): Promise<MessageReaders> {
    const ack = await this.engine.query('rrList', groupId, encodeByName('GrpReadReceiptQryReq', { msgId: [messageUId] }));
    if (ack.status !== 0) throw new SdkError(ack.status);
    const out = decodeByName('GrpReadReceiptQryResp', ack.payload);
    return {
      totalMemberCount: Number(out.totalMemberNum ?? 0),
      list: out.list.map((reader) => ({ userId: reader.userId, readTime: Number(reader.readTime) })),
    };
  }
}
