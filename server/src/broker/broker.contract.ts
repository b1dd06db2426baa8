/**
 * Contract every Broker engine must pass (memory now, Redis later). `connect(n)` returns n
 * broker clients attached to ONE shared backend (n "nodes"); `teardown` releases them.
 */
import type { Broker } from './broker';

export interface BrokerContractHooks {
  connect(count: number): Promise<Broker[]>;
  teardown?(): Promise<void>;
}

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const dec = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

async function until(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Lets any in-flight delivery land (for negative assertions). */
const settle = (ms = 50): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function brokerContract(name: string, hooks: BrokerContractHooks): void {
  describe(`Broker contract: ${name}`, () => {
    let brokers: Broker[] = [];
    const get = (i: number): Broker => {
      const b = brokers[i];
      if (!b) throw new Error(`no broker ${i}`);
      return b;
    };

    beforeEach(async () => {
      brokers = await hooks.connect(2);
    });
    afterEach(async () => {
      for (const b of brokers) await b.close();
      await hooks.teardown?.();
    });

    it('delivers a message to a subscriber on another client of the same backend', async () => {
      const got: string[] = [];
      await get(1).subscribe('user:k:u1', (p) => got.push(dec(p)));
      await get(0).publish('user:k:u1', enc('hello'));
      await until(() => got.length === 1);
      expect(got).toEqual(['hello']);
    });

    it('keeps publish order per topic and publisher', async () => {
      const got: string[] = [];
      await get(1).subscribe('user:k:order', (p) => got.push(dec(p)));
      for (let i = 0; i < 50; i++) await get(0).publish('user:k:order', enc(String(i)));
      await until(() => got.length === 50);
      expect(got).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    });

    it('gives every subscriber its own copy, including on the publishing client', async () => {
      const a: Uint8Array[] = [];
      const b: Uint8Array[] = [];
      await get(0).subscribe('node:n1', (p) => a.push(p));
      await get(1).subscribe('node:n1', (p) => b.push(p));
      await get(0).publish('node:n1', new Uint8Array([1, 2, 3]));
      await until(() => a.length === 1 && b.length === 1);
      const first = a[0];
      if (!first) throw new Error('missing');
      first[0] = 99;
      expect(Array.from(b[0] ?? [])).toEqual([1, 2, 3]);
    });

    it('does not deliver other topics and nothing after unsubscribe', async () => {
      const got: string[] = [];
      const unsubscribe = await get(1).subscribe('user:k:a', (p) => got.push(dec(p)));
      await get(0).publish('user:k:b', enc('other'));
      await get(0).publish('user:k:a', enc('one'));
      await until(() => got.length === 1);
      await unsubscribe();
      await get(0).publish('user:k:a', enc('two'));
      await settle();
      expect(got).toEqual(['one']);
    });

    it('keeps other subscriptions of the same topic after one unsubscribes', async () => {
      const a: string[] = [];
      const b: string[] = [];
      const unA = await get(1).subscribe('chatroom:k:r1', (p) => a.push(dec(p)));
      await get(1).subscribe('chatroom:k:r1', (p) => b.push(dec(p)));
      await unA();
      await get(0).publish('chatroom:k:r1', enc('x'));
      await until(() => b.length === 1);
      await settle();
      expect(a).toEqual([]);
    });

    it('survives a throwing subscriber', async () => {
      const got: string[] = [];
      await get(1).subscribe('user:k:t', () => {
        throw new Error('boom');
      });
      await get(1).subscribe('user:k:t', (p) => got.push(dec(p)));
      await get(0).publish('user:k:t', enc('1'));
      await get(0).publish('user:k:t', enc('2'));
      await until(() => got.length === 2);
      expect(got).toEqual(['1', '2']);
    });

    it('publishing to a topic nobody listens to is a no-op that reports 0 receivers', async () => {
      await expect(get(0).publish('user:k:nobody', enc('x'))).resolves.toBe(0);
    });

    it('publish reports how many subscribers it reached (comet relays answer at once when it is 0)', async () => {
      await get(1).subscribe('user:k:counted', () => undefined);
      await expect(get(0).publish('user:k:counted', enc('x'))).resolves.toBeGreaterThanOrEqual(1);
    });

    it('carries arbitrary bytes, including empty payloads', async () => {
      const got: Uint8Array[] = [];
      await get(1).subscribe('user:k:bin', (p) => got.push(p));
      const bytes = new Uint8Array(256).map((_, i) => i);
      await get(0).publish('user:k:bin', bytes);
      await get(0).publish('user:k:bin', new Uint8Array(0));
      await until(() => got.length === 2);
      expect(Array.from(got[0] ?? [])).toEqual(Array.from(bytes));
      expect(got[1]?.length).toBe(0);
    });
  });
}
