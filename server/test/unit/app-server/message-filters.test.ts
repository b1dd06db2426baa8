import { callbackSignatureOf, signedCallbackUrl, verifyCallbackQuery } from '../../../src/services/callbacks/callback-signature';
import { readModerationAnswer } from '../../../src/services/callbacks/moderation';
import { routeForm } from '../../../src/services/callbacks/message-routing';
import { MessageFilterChain, PASS, type CandidateMessage, type FilterVerdict, type SentMessage } from '../../../src/services/message-filter-chain';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);

const candidate: CandidateMessage = {
  appKey: 'k', fromUserId: 'a', conversationType: 1, targetId: 'b', objectName: 'RC:TxtMsg', content: utf8('{"content":"hi","extra":"x"}'),
  directedTo: [], status: false, platform: 'web', sessionId: 's1',
};

describe('MessageFilterChain', () => {
  it('runs filters by order, stops at the first refusal and lets later filters see replacements', async () => {
    const chain = new MessageFilterChain();
    const seen: string[] = [];
    const filter = (name: string, order: number, verdict: (m: CandidateMessage) => FilterVerdict) => ({
      name, order, check: (m: CandidateMessage) => { seen.push(`${name}:${text(m.content)}`); return verdict(m); },
    });
    chain.addFilter(filter('moderation', 300, () => PASS));
    chain.addFilter(filter('words', 200, () => ({ action: 'replace', content: utf8('{"content":"**"}'), reason: 'word' })));
    const removeRelations = chain.addFilter(filter('relations', 100, () => ({ action: 'reject', status: 405, reason: 'black' })));
    expect(await chain.screen(candidate)).toEqual({ ok: false, status: 405, by: 'relations', reason: 'black' });
    expect(seen).toEqual(['relations:{"content":"hi","extra":"x"}']);
    removeRelations();
    const result = await chain.screen(candidate);
    expect(result.ok && text(result.message.content)).toBe('{"content":"**"}');
    expect(result.ok && result.replacedBy).toEqual(['words']);
    expect(seen.slice(1)).toEqual(['words:{"content":"hi","extra":"x"}', 'moderation:{"content":"**"}']);
  });

  it('fails closed with 30014 when a filter throws, and isolates throwing observers', async () => {
    const errors: string[] = [];
    const chain = new MessageFilterChain((_e, where) => errors.push(where));
    chain.addFilter({ name: 'broken', order: 1, check: () => { throw new Error('boom'); } });
    expect(await chain.screen(candidate)).toMatchObject({ ok: false, status: 30014, by: 'broken' });
    const got: SentMessage[] = [];
    chain.addObserver(() => { throw new Error('observer'); });
    chain.addObserver((m) => got.push(m));
    chain.sent({ ...candidate, messageUId: 'U', sentTime: 1, replacedBy: [] });
    expect(got).toHaveLength(1);
    expect(errors).toEqual(['filter broken', 'sent-message observer']);
  });
});

describe('moderation answers', () => {
  const original = utf8('{"content":"bad word","extra":"x"}');

  it('pass, block and replace in the accepted spellings', () => {
    expect(readModerationAnswer('{"pass":1}', original)).toEqual(PASS);
    expect(readModerationAnswer('{}', original)).toEqual(PASS);
    for (const no of ['{"pass":0}', '{"pass":false}', '{"pass":"0"}']) expect(readModerationAnswer(no, original)).toMatchObject({ action: 'reject', status: 21501 });
    const whole = readModerationAnswer('{"pass":1,"replaceContent":"{\\"content\\":\\"ok\\"}"}', original);
    expect(whole?.action === 'replace' && text(whole.content)).toBe('{"content":"ok"}');
    const plain = readModerationAnswer('{"pass":true,"replaceContent":"***","pushContent":"p"}', original);
    expect(plain).toMatchObject({ action: 'replace', pushContent: 'p' });
    expect(plain?.action === 'replace' && JSON.parse(text(plain.content))).toEqual({ content: '***', extra: 'x' });
    const object = readModerationAnswer('{"pass":1,"replaceContent":{"content":"obj"}}', original);
    expect(object?.action === 'replace' && text(object.content)).toBe('{"content":"obj"}');
    expect(readModerationAnswer('{"pass":1,"pushContent":"only push"}', original)).toEqual({ action: 'replace', reason: 'replaced by the App Server', pushContent: 'only push' });
  });

  it('treats anything unreadable as a failed review (the failure mode decides)', () => {
    for (const bad of ['', 'ok', '[1]', 'null', '"pass"']) expect(readModerationAnswer(bad, original)).toBeUndefined();
  });
});

describe('callback signatures and routing forms', () => {
  it('sign with sha1(secret + nonce + timestamp) in every query variant, keeping the URL\'s own query', () => {
    const sign = callbackSignatureOf('key', 'secret', 1_700_000_000_123, 'n0nce');
    const url = new URL(signedCallbackUrl('http://h/route?x=1', sign));
    expect(url.searchParams.get('x')).toBe('1');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ appKey: 'key', nonce: 'n0nce', timestamp: '1700000000123', signTimestamp: '1700000000123', 'rc-nonce': 'n0nce', 'rc-timestamp': '1700000000123' });
    expect(url.searchParams.get('signature')).toBe(url.searchParams.get('rc-signature'));
    expect(verifyCallbackQuery(url.searchParams, 'secret')).toBe(true);
    expect(verifyCallbackQuery(url.searchParams, 'other')).toBe(false);
  });

  it('route a directed group message with its recipients and a sensitive-word replacement as sensitiveType 2', () => {
    const form = routeForm({ ...candidate, conversationType: 3, targetId: 'g', directedTo: ['b', 'c'], platform: 'miniprogram', messageUId: 'U', sentTime: 5, replacedBy: ['sensitive-words'] });
    expect(form.getAll('groupUserIds')).toEqual(['b', 'c']);
    expect(Object.fromEntries(form)).toMatchObject({ channelType: 'GROUP', toUserId: 'g', sensitiveType: '2', source: 'MiniProgram', msgTimestamp: '5', msgUID: 'U' });
  });
});
