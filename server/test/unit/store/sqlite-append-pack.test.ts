/**
 * The form a group-commit batch crosses to the writer thread in (sqlite-append-writer.ts packJobs/unpackJobs):
 * every field of every job comes back as it went in — null and set optional fields, fractional clocks,
 * non-ASCII strings, bytes that are views into a larger buffer — and repeated strings are sent once.
 */
import { packJobs, unpackJobs } from '../../../src/store/sqlite/sqlite-append-pack';
import { planAppend, type AppendJob } from '../../../src/store/sqlite/sqlite-append-job';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function drawn(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] as number;
}

describe('packJobs / unpackJobs', () => {
  it('round-trips every field, nulls included, and names each distinct string once', () => {
    const chunk = utf8('xx{"content":"你好 👋"}yy');
    const jobs: AppendJob[] = [
      planAppend({
        appKey: 'app', fromUserId: 'alice', conversationType: 1, targetId: 'bob', objectName: 'RC:TxtMsg',
        content: chunk.subarray(2, chunk.length - 2), flags: 3, recipients: ['bob'], senderSendbox: true, now: 1_700_000_000_000.75,
      }, drawn([0, 0.999999, 0.5, 0.03125, 0.9, 0.1, 0.7])),
      planAppend({
        appKey: 'app', fromUserId: 'bob', conversationType: 3, targetId: 'g-1', objectName: 'RC:ImgMsg', content: utf8('{}'), flags: 1,
        configFlag: 0, pushContent: 'ünïcödé push', pushData: '', pushExt: utf8('ext'), extraContent: '{"k":1}',
        recipients: ['alice', 'carol', 'bob'], mentionedUserIds: ['carol'], senderSendbox: true, now: 1_700_000_000_001,
      }, drawn([0.25])),
    ];
    const packed = packJobs(jobs);
    expect([...packed.strings].sort()).toEqual(['', '{"k":1}', 'RC:ImgMsg', 'RC:TxtMsg', 'alice', 'app', 'bob', 'carol', 'g-1', 'ünïcödé push'].sort());
    const back = unpackJobs(packed);
    expect(back).toEqual(jobs.map((job) => ({ ...job, content: new Uint8Array(job.content), pushExt: job.pushExt === null ? null : new Uint8Array(job.pushExt) })));
    expect(back[0]?.uidRandom).toBe(jobs[0]?.uidRandom);
    expect(back[0]?.uidRandom).toMatch(/^[0-9A-V]{7}$/);
    expect(back[0]?.configFlag).toBeNull();
    expect(back[1]?.configFlag).toBe(0);
    expect(back[1]?.entries.map((e) => [e[0], e[4]])).toEqual([['alice', 0], ['carol', 1], ['bob', 0]]);
  });

  it('packs an empty batch', () => {
    expect(unpackJobs(packJobs([]))).toEqual([]);
  });
});
