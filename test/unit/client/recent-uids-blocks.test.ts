/**
 * RecentUids keeps its insertion order in blocks (src/client/services/recent-uids.ts): eviction takes the
 * oldest uid of the first block, and `toJson` reuses the text of full blocks. Against a plain model (an
 * array, oldest first, capacity-bounded) across many blocks: same answers to `add`, same order, same
 * stored text — through evictions that empty whole blocks, deletes in the middle and reloads.
 */
import fc from 'fast-check';
import { RecentUids } from '../../../src/client/services/recent-uids';

class Model {
  list: string[] = [];
  constructor(private readonly capacity: number) {}
  add(uid: string): boolean {
    if (uid === '') return true;
    if (this.list.includes(uid)) return false;
    this.list.push(uid);
    if (this.list.length > this.capacity) this.list.shift();
    return true;
  }
  delete(uid: string): void {
    this.list = this.list.filter((u) => u !== uid);
  }
}

type Op = { add: string } | { del: number } | { reload: true } | { json: true };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 0, max: 400 }).map((n) => ({ add: n === 0 ? '' : `u${n}"\\中${n % 7}` })) },
  { weight: 1, arbitrary: fc.nat().map((n) => ({ del: n })) },
  { weight: 1, arbitrary: fc.constant({ reload: true as const }) },
  { weight: 2, arbitrary: fc.constant({ json: true as const }) },
);

test('property: same as an array model across many blocks (adds, evictions, deletes, reloads)', () => {
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 700 }), fc.integer({ min: 1, max: 300 }), (ops, capacity) => {
      let set = new RecentUids(capacity);
      const model = new Model(capacity);
      for (const o of ops) {
        if ('add' in o) expect(set.add(o.add)).toBe(model.add(o.add));
        else if ('del' in o) {
          const uid = model.list[o.del % Math.max(1, model.list.length)] ?? 'absent';
          set.delete(uid);
          model.delete(uid);
        } else if ('reload' in o) {
          const restored = new RecentUids(capacity);
          restored.load(JSON.parse(set.toJson()) as unknown[]);
          set = restored;
        } else {
          expect(set.toJson()).toBe(JSON.stringify(model.list));
        }
      }
      expect(set.toArray()).toEqual(model.list);
      expect(set.toJson()).toBe(JSON.stringify(model.list));
      expect(set.size).toBe(model.list.length);
      for (const uid of model.list) expect(set.has(uid)).toBe(true);
    }),
    { numRuns: 150 },
  );
});

test('a long stream at the default capacity: the newest 2000 uids, oldest first, text reused between writes', () => {
  const set = new RecentUids();
  const all: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const uid = `BQK${i.toString(36)}-LX00-${(i * 7919).toString(36)}`;
    all.push(uid);
    expect(set.add(uid)).toBe(true);
    if (i % 997 === 0) expect(set.toJson()).toBe(JSON.stringify(all.slice(-2000)));
  }
  expect(set.size).toBe(2000);
  expect(set.toArray()).toEqual(all.slice(-2000));
  expect(set.toJson()).toBe(JSON.stringify(all.slice(-2000)));
  expect(set.has(all[2999] as string)).toBe(false);
  expect(set.add(all[3000] as string)).toBe(false);
});
