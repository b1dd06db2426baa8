/**
 * The hand-off of a group-commit batch to the SQLite writer thread (sqlite-append-worker.ts) as typed data.
 */
import { UID_ALPHABET } from '../message-uid';
import type { AppendJob } from './sqlite-append-job';

/**
 * A batch of jobs in the form that crosses to the writer thread cheaply: every scalar in one Float64Array and
 * every content and pushExt in one byte buffer (both transferred, not copied), and each distinct string of
 * the batch once. Structured clone of job objects costs a key string per field, of a mixed array a tag per
 * element, and of a `content` view the whole buffer under it (a frame's content is a view into the socket's
 * read chunk); a batch names the same app, object name and users many times.
 */
export interface PackedJobs {
  /** Per job JOB_SLOTS numbers, then 5 per entry; a string slot holds its index in `strings` (-1 = null). */
  readonly numbers: Float64Array<ArrayBuffer>;
  readonly strings: string[];
  readonly bytes: Uint8Array<ArrayBuffer>;
}

/**
 * Per job: appKey, now, uidRandom (its 7 base32hex digits as one number < 2^35), fromUserId, conversationType,
 * targetId, objectName, content length, flags, configFlag (NaN = null), pushContent, pushData, pushExt length
 * (-1 = null), extraContent, entry count; then per entry: owner, direction, conversation type, target, mentioned.
 */
const JOB_SLOTS = 15;

export function packJobs(jobs: readonly AppendJob[]): PackedJobs {
  let size = 0;
  let slots = 0;
  for (const job of jobs) {
    size += job.content.byteLength + (job.pushExt?.byteLength ?? 0);
    slots += JOB_SLOTS + 5 * job.entries.length;
  }
  const bytes = new Uint8Array(size);
  const numbers = new Float64Array(slots);
  const strings: string[] = [];
  const indexOf = new Map<string, number>();
  const str = (value: string | null): number => {
    if (value === null) return -1;
    let index = indexOf.get(value);
    if (index === undefined) {
      index = strings.length;
      strings.push(value);
      indexOf.set(value, index);
    }
    return index;
  };
  let offset = 0;
  let i = 0;
  for (const job of jobs) {
    bytes.set(job.content, offset);
    offset += job.content.byteLength;
    if (job.pushExt !== null) {
      bytes.set(job.pushExt, offset);
      offset += job.pushExt.byteLength;
    }
    let random = 0;
    for (let c = 0; c < job.uidRandom.length; c++) random = random * 32 + UID_ALPHABET.indexOf(job.uidRandom.charAt(c));
    numbers[i] = str(job.appKey);
    numbers[i + 1] = job.now;
    numbers[i + 2] = random;
    numbers[i + 3] = str(job.fromUserId);
    numbers[i + 4] = job.conversationType;
    numbers[i + 5] = str(job.targetId);
    numbers[i + 6] = str(job.objectName);
    numbers[i + 7] = job.content.byteLength;
    numbers[i + 8] = job.flags;
    numbers[i + 9] = job.configFlag ?? Number.NaN;
    numbers[i + 10] = str(job.pushContent);
    numbers[i + 11] = str(job.pushData);
    numbers[i + 12] = job.pushExt === null ? -1 : job.pushExt.byteLength;
    numbers[i + 13] = str(job.extraContent);
    numbers[i + 14] = job.entries.length;
    i += JOB_SLOTS;
    for (const entry of job.entries) {
      numbers[i] = str(entry[0]);
      numbers[i + 1] = entry[1];
      numbers[i + 2] = entry[2];
      numbers[i + 3] = str(entry[3]);
      numbers[i + 4] = entry[4];
      i += 5;
    }
  }
  return { numbers, strings, bytes };
}

/** The inverse of packJobs; self-contained like createAppendExecutor (the writer thread runs its source). */
export function unpackJobs(packed: PackedJobs): AppendJob[] {
  const { numbers: n, strings, bytes } = packed;
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUV';
  const str = (index: number): string | null => (index < 0 ? null : (strings[index] as string));
  const jobs: AppendJob[] = [];
  const randomCodes: number[] = [48, 48, 48, 48, 48, 48, 48];
  let i = 0;
  let offset = 0;
  while (i < n.length) {
    const contentLength = n[i + 7] as number;
    const content = bytes.subarray(offset, offset + contentLength);
    offset += contentLength;
    const pushExtLength = n[i + 12] as number;
    let pushExt: Uint8Array | null = null;
    if (pushExtLength >= 0) {
      pushExt = bytes.subarray(offset, offset + pushExtLength);
      offset += pushExtLength;
    }
    let random = n[i + 2] as number;
    for (let c = 6; c >= 0; c--) {
      randomCodes[c] = alphabet.charCodeAt(random % 32);
      random = Math.floor(random / 32);
    }
    const uidRandom = String.fromCharCode.apply(null, randomCodes);
    const configFlag = n[i + 9] as number;
    const entryCount = n[i + 14] as number;
    const entries: [string, number, number, string, 0 | 1][] = [];
    for (let e = 0; e < entryCount; e++) {
      const at = i + 15 + e * 5;
      entries.push([str(n[at] as number) as string, n[at + 1] as number, n[at + 2] as number, str(n[at + 3] as number) as string, n[at + 4] as 0 | 1]);
    }
    jobs.push({
      appKey: str(n[i] as number) as string,
      now: n[i + 1] as number,
      uidRandom,
      fromUserId: str(n[i + 3] as number) as string,
      conversationType: n[i + 4] as number,
      targetId: str(n[i + 5] as number) as string,
      objectName: str(n[i + 6] as number) as string,
      content,
      flags: n[i + 8] as number,
      configFlag: Number.isNaN(configFlag) ? null : configFlag,
      pushContent: str(n[i + 10] as number),
      pushData: str(n[i + 11] as number),
      pushExt,
      extraContent: str(n[i + 13] as number),
      entries,
    });
    i += 15 + entryCount * 5;
  }
  return jobs;
}
