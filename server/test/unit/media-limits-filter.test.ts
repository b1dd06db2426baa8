import { DEFAULT_FILE_OPTIONS } from '../../src/files/file-options';
import type { FileService } from '../../src/files/file-service';
import type { CandidateMessage } from '../../src/services/message-filter-chain';
import { mediaLimitsFilter } from '../../src/services/media-limits';

function candidate(objectName: string, content: string): CandidateMessage {
  return { appKey: 'k', fromUserId: 'a', conversationType: 1, targetId: 'b', objectName, content: new Uint8Array(Buffer.from(content)), directedTo: [], status: false, platform: 'web', sessionId: 's' };
}

describe('media limits filter (server side of 34002 / 34003)', () => {
  it('uses the file service limits, defaults without one, and passes other or unreadable content', async () => {
    const defaults = mediaLimitsFilter({});
    expect(await defaults.check(candidate('RC:SightMsg', '{"duration":121}'))).toMatchObject({ action: 'reject', status: 34002 });
    expect(await defaults.check(candidate('RC:SightMsg', '{"duration":120}'))).toEqual({ action: 'pass' });
    expect(await defaults.check(candidate('RC:GIFMsg', `{"gifDataSize":${2 * 1024 * 1024 + 1}}`))).toMatchObject({ action: 'reject', status: 34003 });
    expect(await defaults.check(candidate('RC:GIFMsg', 'not json'))).toEqual({ action: 'pass' });
    expect(await defaults.check(candidate('RC:TxtMsg', '{"duration":100000}'))).toEqual({ action: 'pass' });
    const files = { options: { ...DEFAULT_FILE_OPTIONS, maxSightSeconds: 10, maxGifBytes: 1000 } } as unknown as FileService;
    const strict = mediaLimitsFilter({ files });
    expect(await strict.check(candidate('RC:SightMsg', '{"duration":11}'))).toMatchObject({ status: 34002 });
    expect(await strict.check(candidate('RC:GIFMsg', '{"gifDataSize":1001}'))).toMatchObject({ status: 34003 });
    expect(await strict.check(candidate('RC:GIFMsg', '{"gifDataSize":"1000"}'))).toEqual({ action: 'pass' });
  });
});
