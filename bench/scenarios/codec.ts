/**
 * Codec micro-comparison: the table codec (src/protocol/table-codec.ts, what the SDK runs) against
 * the pbjs static code (proto/gen/rc.js with protobufjs/minimal) on the payloads the server and
 * the SDK handle per message. Decides which codec the server uses (it must not get slower) and
 * backs P6 (SDK receive cost).
 *
 * In-process, one core, both codecs interleaved within each run so machine drift hits both alike.
 * pbjs runs as it does on the server: Node's Buffer writer for encode, and decode of a Buffer
 * (what `ws` hands the server) as well as of a plain Uint8Array (what browsers/mini-programs see).
 *
 * Flags: `--runs 5 --ms 300` (time per case per run).
 */
import { intFlag } from '../lib/args';
import { formatNumber } from '../lib/results';
import type { Figure, Table } from '../lib/results';
import { median } from '../lib/stats';
import { encodeUtf8 } from '../../src/codec/utf8';
import { rc } from '../../src/protocol/pbjs-reference';
import { decodeTable, encodeTable } from '../../src/protocol/table-codec';
import type { RcMessageName } from '../../src/protocol/schema';
import type { Scenario, ScenarioContext, ScenarioOutput } from './scenario';

interface PbjsClass {
  encode(message: object): { finish(): Uint8Array };
  decode(bytes: Uint8Array): object;
}

interface Payload {
  readonly label: string;
  readonly type: RcMessageName;
  readonly message: object;
}

function down(i: number, text: string): object {
  return {
    fromUserId: `user-${i % 200}`,
    type: 1,
    groupId: `user-${(i + 1) % 200}`,
    classname: 'RC:TxtMsg',
    content: encodeUtf8(JSON.stringify({ content: text, extra: '' })),
    dataTime: 1795625483202 + i,
    status: 0,
    msgId: `BHQ6-${String(1000 + i)}-O5S4-8P1F`,
    direction: 1,
    clientUniqueId: 1795625483000 + i,
  };
}

const ASCII = 'hello from the benchmark, a short chat line of about eighty characters or so....';
const CJK = '你好，这是一条用于基准测试的中文聊天消息，大约四十个字符左右，包含标点符号。😀';

const PAYLOADS: readonly Payload[] = [
  {
    label: 'UpStreamMessage (text send; server decodes each)',
    type: 'UpStreamMessage',
    message: { sessionId: 1, classname: 'RC:TxtMsg', content: encodeUtf8(JSON.stringify({ content: ASCII })), pushText: ASCII.slice(0, 40), clientUniqueId: 1795625483000 },
  },
  { label: 'DownStreamMessage (ASCII text; server encodes, SDK decodes)', type: 'DownStreamMessage', message: down(1, ASCII) },
  { label: 'DownStreamMessage (CJK text)', type: 'DownStreamMessage', message: down(2, CJK) },
  { label: 'DownStreamMessages (sync page of 100)', type: 'DownStreamMessages', message: { syncTime: 1795625483302, list: Array.from({ length: 100 }, (_, i) => down(i, ASCII)), finished: true } },
  { label: 'NotifyMsg (s_ntf)', type: 'NotifyMsg', message: { type: 1, time: 1795625483202 } },
];

type Op = () => number;

/** ns per call of `op`, timing batches until `ms` have passed. */
function time(op: Op, ms: number): number {
  let sink = 0;
  for (let i = 0; i < 200; i++) sink += op();
  let calls = 0;
  let batch = 64;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < batch; i++) sink += op();
    calls += batch;
    if (batch < 4096) batch *= 2;
    elapsed = process.hrtime.bigint() - start;
  }
  if (sink === -1) console.log('');
  return Number(elapsed) / calls;
}

interface Case {
  readonly key: string;
  readonly payload: Payload;
  readonly op: 'encode' | 'decode';
  readonly codec: string;
  readonly run: Op;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const payload of PAYLOADS) {
    const pb = rc[payload.type] as unknown as PbjsClass;
    const bytes = encodeTable(payload.type, payload.message);
    const asBuffer = Buffer.from(bytes);
    const asArray = Uint8Array.from(bytes);
    const add = (op: 'encode' | 'decode', codec: string, run: Op): void => {
      out.push({ key: `${payload.type}|${payload.label}|${op}|${codec}`, payload, op, codec, run });
    };
    add('encode', 'table', () => encodeTable(payload.type, payload.message).length);
    add('encode', 'pbjs', () => pb.encode(payload.message).finish().length);
    add('decode', 'table', () => (decodeTable(payload.type, asArray) === null ? 0 : 1));
    add('decode', 'pbjs (Uint8Array)', () => (pb.decode(asArray) === null ? 0 : 1));
    add('decode', 'table (Buffer)', () => (decodeTable(payload.type, asBuffer) === null ? 0 : 1));
    add('decode', 'pbjs (Buffer)', () => (pb.decode(asBuffer) === null ? 0 : 1));
  }
  return out;
}

async function run(ctx: ScenarioContext): Promise<ScenarioOutput> {
  const runs = intFlag(ctx.flags, 'runs', ctx.smoke ? 1 : 5);
  const ms = intFlag(ctx.flags, 'ms', ctx.smoke ? 20 : 300);
  const all = cases();
  const samples = new Map<string, number[]>();
  for (let r = 0; r < runs; r++) {
    // Alternate the order per run so neither codec always runs on a warmer/cooler machine.
    const order = r % 2 === 0 ? all : [...all].reverse();
    for (const c of order) {
      const ns = time(c.run, ms);
      samples.set(c.key, [...(samples.get(c.key) ?? []), ns]);
    }
    ctx.log(`codec: run ${r + 1}/${runs} done`);
  }
  const figures: Figure[] = [];
  const rows: string[][] = [];
  const ns = (key: string): number => median(samples.get(key) ?? []);
  for (const payload of PAYLOADS) {
    const base = `${payload.type}|${payload.label}`;
    for (const c of all.filter((x) => x.payload === payload)) {
      figures.push({ label: `${payload.label}: ${c.op}, ${c.codec}`, unit: 'ns/op', values: samples.get(c.key) ?? [], decimals: 0 });
    }
    const enc = ns(`${base}|encode|pbjs`) / ns(`${base}|encode|table`);
    const decBuf = ns(`${base}|decode|pbjs (Buffer)`) / ns(`${base}|decode|table (Buffer)`);
    const decArr = ns(`${base}|decode|pbjs (Uint8Array)`) / ns(`${base}|decode|table`);
    rows.push([payload.label, formatNumber(enc, 2), formatNumber(decBuf, 2), formatNumber(decArr, 2)]);
  }
  const table: Table = {
    title: 'Speed-up of the table codec over pbjs (pbjs ns / table ns; > 1 means the table codec is faster)',
    columns: ['Payload', 'encode (server)', 'decode of a Buffer (server)', 'decode of a Uint8Array (browser / mini-program)'],
    rows,
  };
  return {
    params: { runs, msPerCase: ms },
    runs,
    pinning: 'unpinned (in-process micro-benchmark, one thread)',
    figures,
    tables: [table],
    notes: ['pbjs encode uses Node\'s Buffer writer (what the server ran); decode inputs are the same bytes as a Buffer and as a plain Uint8Array.'],
  };
}

export const codecBench: Scenario = {
  name: 'codec',
  aliases: ['s1'],
  title: 'Codec micro-comparison: table codec vs pbjs static code',
  loadSensitive: true,
  run,
};
