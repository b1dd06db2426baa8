/** The pure rules behind sensitive words and message expansion (issue #7): screening, replacing, command parsing, merging. */
import { containsWord, replaceAll, screenText } from '../../../src/services/sensitive-words';
import { ExpansionLimit, ExpansionStatus, parseExpansionCommand } from '../../../src/services/expansion-filter';
import { applyExpansionChange, formatExpansionJson, parseExpansionJson } from '../../../src/store/message-expansion-repository';

const utf8 = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

describe('sensitive words', () => {
  it('match case-insensitively and replace every occurrence', () => {
    expect(containsWord('Some BAD text', 'bad')).toBe(true);
    expect(containsWord('Some text', '')).toBe(false);
    expect(replaceAll('Bad bad bAd!', 'bad', '*')).toBe('* * *!');
    expect(replaceAll('敏感词和敏感词', '敏感词', '**')).toBe('**和**');
    expect(replaceAll('nothing', 'bad', '*')).toBe('nothing');
  });

  it('block wins over replace; longer replace words first', () => {
    const words = [
      { word: 'ab', type: 0 as const, replaceWord: '1' },
      { word: 'abc', type: 0 as const, replaceWord: '2' },
      { word: 'stop', type: 1 as const, replaceWord: '' },
    ];
    expect(screenText('abc ab', words)).toEqual({ blocked: false, text: '2 1' });
    expect(screenText('abc STOP', words)).toEqual({ blocked: true });
    expect(screenText('clean', words)).toEqual({ blocked: false, text: 'clean' });
  });
});

describe('expansion commands', () => {
  it('accept put, del and removeAll within the limits', () => {
    expect(parseExpansionCommand(utf8({ mid: 'A', put: { k: 'v' } }))).toMatchObject({ mid: 'A', put: { k: 'v' }, removeAll: false });
    expect(parseExpansionCommand(utf8({ mid: 'A', del: ['k'] }))).toMatchObject({ del: ['k'] });
    expect(parseExpansionCommand(utf8({ mid: 'A', removeAll: 1 }))).toMatchObject({ removeAll: true });
    const max = Object.fromEntries(Array.from({ length: ExpansionLimit.keysPerUpdate }, (_, i) => [`k${i}`, 'v']));
    expect(typeof parseExpansionCommand(utf8({ mid: 'A', put: max }))).toBe('object');
  });

  it('refuse malformed commands (33003) and limits (34010)', () => {
    expect(parseExpansionCommand(new TextEncoder().encode('not json'))).toBe(ExpansionStatus.InvalidParameter);
    expect(parseExpansionCommand(utf8({ put: { k: 'v' } }))).toBe(ExpansionStatus.InvalidParameter);
    expect(parseExpansionCommand(utf8({ mid: 'A' }))).toBe(ExpansionStatus.InvalidParameter);
    expect(parseExpansionCommand(utf8({ mid: 'A', put: { 'a b': 'v' } }))).toBe(ExpansionStatus.InvalidParameter);
    expect(parseExpansionCommand(utf8({ mid: 'A', put: { k: 1 } }))).toBe(ExpansionStatus.InvalidParameter);
    expect(parseExpansionCommand(utf8({ mid: 'A', del: 'k' }))).toBe(ExpansionStatus.InvalidParameter);
    const tooMany = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v']));
    expect(parseExpansionCommand(utf8({ mid: 'A', put: tooMany }))).toBe(ExpansionStatus.Limit);
    expect(parseExpansionCommand(utf8({ mid: 'A', put: { ['k'.repeat(33)]: 'v' } }))).toBe(ExpansionStatus.Limit);
    expect(parseExpansionCommand(utf8({ mid: 'A', put: { k: 'v'.repeat(4097) } }))).toBe(ExpansionStatus.Limit);
  });
});

describe('expansion merge', () => {
  it('removeAll, then del, then put; never beyond the key limit; existing keys always update', () => {
    expect(applyExpansionChange({ a: '1', b: '2' }, { del: ['a'], put: { c: '3' } }, 10)).toEqual({ expansion: { b: '2', c: '3' }, accepted: ['c'] });
    expect(applyExpansionChange({ a: '1', b: '2' }, { put: { c: '3', a: 'x', d: '4' } }, 3)).toEqual({ expansion: { a: 'x', b: '2', c: '3' }, accepted: ['c', 'a'] });
    expect(applyExpansionChange({ a: '1' }, { removeAll: true, put: { z: '9' } }, 1)).toEqual({ expansion: { z: '9' }, accepted: ['z'] });
  });

  it('round-trips the wire form {"k":{"v":…}} and tolerates plain values and junk', () => {
    const text = formatExpansionJson({ k: 'v', n: '1' });
    expect(JSON.parse(text)).toEqual({ k: { v: 'v' }, n: { v: '1' } });
    expect(parseExpansionJson(text)).toEqual({ k: 'v', n: '1' });
    expect(parseExpansionJson('{"k":"plain"}')).toEqual({ k: 'plain' });
    expect(parseExpansionJson('[1]')).toEqual({});
    expect(parseExpansionJson('{')).toEqual({});
    expect(parseExpansionJson(undefined)).toEqual({});
  });
});
