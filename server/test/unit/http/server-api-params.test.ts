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
