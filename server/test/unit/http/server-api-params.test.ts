/** Params (http/server-api/params.ts): sealed once a handler's check phase is over, so no parameter is read after the charge. */
import { Params } from '../../../src/http/server-api/params';

describe('Params.seal', () => {
  it('reads work until sealed; every accessor throws afterwards, naming the endpoint', () => {
    const params = new Params({ userId: 'a', n: '3', list: ['x', 'y'] });
    expect(params.requiredString('userId')).toBe('a');
    const raw = params.raw;
    params.seal('user/refresh');
    const reads: Array<() => unknown> = [
      () => params.has('userId'),
      () => params.raw,
      () => params.optionalString('userId'),
      () => params.requiredString('userId'),
      () => params.strings('list'),
      () => params.integer('n'),
      () => params.boolean('flag', false),
    ];
    for (const read of reads) expect(read).toThrow(/user\/refresh read a parameter after its check phase/);
    // What the check phase took stays usable.
    expect(raw['list']).toEqual(['x', 'y']);
  });
});

describe('Params.integer zeroIsUnset', () => {
  it('takes 0 (number or string) as absent, giving the fallback; other values are still checked against the range', () => {
    const params = new Params({ zero: '0', zeroNumber: 0, negative: '-1', big: '51', five: '5', blank: '' });
    const range = { min: 1, max: 50, fallback: 50, zeroIsUnset: true } as const;
    expect(params.integer('zero', range)).toBe(50);
    expect(params.integer('zeroNumber', range)).toBe(50);
    expect(params.integer('absent', range)).toBe(50);
    expect(params.integer('blank', range)).toBe(50);
    expect(params.integer('five', range)).toBe(5);
    expect(() => params.integer('negative', range)).toThrow(/negative is invalid/);
    expect(() => params.integer('big', range)).toThrow(/big is invalid/);
    // Without it, 0 is a value like any other.
    expect(() => params.integer('zero', { min: 1, max: 50, fallback: 50 })).toThrow(/zero is invalid/);
  });
});
