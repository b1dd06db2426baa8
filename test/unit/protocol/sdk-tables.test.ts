/**
 * The SDK's cut of the wire tables (rollup.config.mjs `sdkTables`): SDK bundles carry
 * src/protocol/topics-sdk.ts instead of the whole topic catalogue and proto/gen/rc-schema-sdk.ts
 * instead of the whole message table. These checks make the cut safe: every topic and message the
 * SDK source names is in it, each entry is the whole table's entry unchanged, and the message cut
 * is closed over field types (the codec and comet JSON never meet a type outside it).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as full from '../../../proto/gen/rc-schema';
import * as cut from '../../../proto/gen/rc-schema-sdk';
import { OFFICIAL_ONLY_TOPIC_SCHEMA } from '../../../src/protocol/official-topics';
import { SDK_TOPIC_SCHEMA, isSdkTopic } from '../../../src/protocol/sdk-topics';
import { SEND_TOPIC_CONVERSATION_TYPE, STATUS_TOPIC_CONVERSATION_TYPE } from '../../../src/protocol/send-topics';
import { TOPIC_SCHEMA, Topic, isTopic } from '../../../src/protocol/topics';
import * as sdkTopicsModule from '../../../src/protocol/topics-sdk';
import * as topicsModule from '../../../src/protocol/topics';

const root = path.resolve(__dirname, '..', '..', '..');

/** Server- and test-only modules: the whole catalogue, the pbjs oracle, the server's export list. */
const NOT_SDK = new Set([
  'src/internal.ts',
  'src/protocol/topics.ts',
  'src/protocol/official-topics.ts',
  'src/protocol/pbjs-reference.ts',
  // Method names of the v2 API that the SDK does not implement (`getUserStatus`, …), not topics.
  'src/api/unsupported.ts',
]);

function sdkSources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sdkSources(rel);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !NOT_SDK.has(rel) ? [rel] : [];
  });
}

/** Every single-quoted identifier-like literal of the SDK source, with the file it is in. */
const literals: Array<[string, string]> = [...sdkSources('src'), ...sdkSources('platforms')].flatMap((file) =>
  [...readFileSync(path.join(root, file), 'utf8').matchAll(/'(\w+)'/g)].map((m): [string, string] => [m[1] ?? '', file]),
);

function entries(table: string): Map<string, string> {
  return new Map(table.split(';').map((entry) => [entry.slice(0, entry.indexOf(':')), entry]));
}

const fullMessages = entries(full.RC_MESSAGE_TABLE);
const cutMessages = entries(cut.RC_MESSAGE_TABLE);
const fullEnums = entries(full.RC_ENUM_TABLE);
const cutEnums = entries(cut.RC_ENUM_TABLE);

describe('topic catalogue split', () => {
  it('the SDK topics and the official-only topics are disjoint and make up TOPIC_SCHEMA', () => {
    const sdk = Object.keys(SDK_TOPIC_SCHEMA);
    const official = Object.keys(OFFICIAL_ONLY_TOPIC_SCHEMA);
    expect(sdk.filter((t) => official.includes(t))).toEqual([]);
    expect([...sdk, ...official].sort()).toEqual(Object.values(Topic).sort());
    for (const t of sdk) expect(TOPIC_SCHEMA[t as Topic]).toBe(SDK_TOPIC_SCHEMA[t as keyof typeof SDK_TOPIC_SCHEMA]);
  });

  it('the SDK build of ./topics exports what ./topics exports, values and all, but the cut schema', () => {
    const runtimeNames = (m: object): string[] => Object.keys(m).sort();
    expect(runtimeNames(sdkTopicsModule)).toEqual(runtimeNames(topicsModule).filter((n) => n !== 'Topic'));
    expect(sdkTopicsModule.TOPIC_SCHEMA).toBe(SDK_TOPIC_SCHEMA);
    for (const t of ['ppMsgP', 'pullMsg', 'lxReadPos', 's_us']) expect(sdkTopicsModule.isTopic(t)).toBe(true);
    for (const t of ['rtcRJoin_data', 'addBlack', 'reportsdk', 'toString', '']) expect(sdkTopicsModule.isTopic(t)).toBe(isSdkTopic(t));
    expect(sdkTopicsModule.isTopic('rtcRJoin_data')).toBe(false);
    expect(isTopic('rtcRJoin_data')).toBe(true);
    expect(sdkTopicsModule.sendTopicFor).toBe(topicsModule.sendTopicFor);
    expect(sdkTopicsModule.conversationTypeOfTopic).toBe(topicsModule.conversationTypeOfTopic);
  });

  it('every topic the SDK source names, sends on or hears echoed is an SDK topic', () => {
    const topics = new Set<string>(Object.values(Topic));
    const outside = literals.filter(([word]) => topics.has(word) && !isSdkTopic(word));
    expect(outside).toEqual([]);
    for (const t of [...Object.keys(SEND_TOPIC_CONVERSATION_TYPE), ...Object.keys(STATUS_TOPIC_CONVERSATION_TYPE)]) {
      expect(isSdkTopic(t)).toBe(true);
    }
    // The pushes the engine handles.
    for (const t of ['s_ntf', 's_msg', 's_cmd', 's_us']) expect(SDK_TOPIC_SCHEMA[t as keyof typeof SDK_TOPIC_SCHEMA].frame).toBe('push');
  });
});

describe('proto/gen/rc-schema-sdk.ts', () => {
  it('holds whole-table entries unchanged, in the same order', () => {
    expect(cutMessages.size).toBeGreaterThan(0);
    expect(cutMessages.size).toBeLessThan(fullMessages.size);
    for (const [name, entry] of cutMessages) expect(fullMessages.get(name)).toBe(entry);
    for (const [name, entry] of cutEnums) expect(fullEnums.get(name)).toBe(entry);
    const order = (names: Iterable<string>): string[] => [...names];
    expect(order(cutMessages.keys())).toEqual(order(fullMessages.keys()).filter((n) => cutMessages.has(n)));
  });

  it('holds every message the SDK source names and every payload type of the SDK topics', () => {
    const missing = literals.filter(([word]) => fullMessages.has(word) && !cutMessages.has(word));
    expect(missing).toEqual([]);
    for (const schema of Object.values(SDK_TOPIC_SCHEMA) as Array<{ input?: string; output?: string; inputL2?: string }>) {
      for (const type of [schema.input, schema.output, schema.inputL2]) if (type !== undefined) expect(cutMessages.has(type)).toBe(true);
    }
  });

  it('is closed over field types: every message or enum a field uses is in the cut', () => {
    for (const entry of cutMessages.values()) {
      for (const field of entry.slice(entry.indexOf(':') + 1).split(',')) {
        const type = /^\w+\.(\w+?)[!*]?(?:=\d+)?$/.exec(field)?.[1] ?? '';
        if (fullMessages.has(type)) expect(cutMessages.has(type)).toBe(true);
        else if (fullEnums.has(type)) expect(cutEnums.has(type)).toBe(true);
        else expect(['i', 'l', 'b', 's', 'y']).toContain(type);
      }
    }
  });
});
