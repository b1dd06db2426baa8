/** The receive pipeline's dedupe memory: each uid is "new" once; bounded, oldest evicted first. */
import fc from 'fast-check';
import { RecentUids } from '../../../src/client/services/recent-uids';

test('a uid is new only the first time; empty uids are never remembered', () => {
  const set = new RecentUids(10);
  expect(set.add('A')).toBe(true);
  expect(set.add('A')).toBe(false);
  expect(set.add('')).toBe(true);
  expect(set.add('')).toBe(true);
  expect(set.size).toBe(1);
});

test('beyond capacity the oldest uids are forgotten; load keeps the newest entries', () => {
  const set = new RecentUids(3);
  for (const uid of ['a', 'b', 'c', 'd']) set.add(uid);
  expect(set.toArray()).toEqual(['b', 'c', 'd']);
  expect(set.has('a')).toBe(false);
  const restored = new RecentUids(2);
  restored.load(['x', 'y', 'z', 5]);
  expect(restored.toArray()).toEqual(['y', 'z']);
  expect(() => new RecentUids(0)).toThrow(RangeError);
});

test('property: within the capacity window, a delivery stream is deduplicated exactly', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('u1', 'u2', 'u3', 'u4', 'u5', 'u6'), { maxLength: 60 }), fc.integer({ min: 6, max: 20 }), (stream, capacity) => {
      const set = new RecentUids(capacity);
      const delivered = stream.filter((uid) => set.add(uid));
      expect(delivered).toEqual([...new Set(stream)]);
      expect(set.size).toBeLessThanOrEqual(capacity);
    }),
  );
});

test('property: size never exceeds capacity and the newest uid is always remembered', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 10 }), (stream, capacity) => {
      const set = new RecentUids(capacity);
      for (const uid of stream) set.add(uid);
      expect(set.size).toBeLessThanOrEqual(capacity);
      expect(set.has(stream[stream.length - 1] as string)).toBe(true);
    }),
  );
});

test('toJson() stays equal to JSON.stringify(toArray()) through adds, evictions, deletes and loads', () => {
  const set = new RecentUids(4);
  const check = (): void => expect(set.toJson()).toBe(JSON.stringify(set.toArray()));
  check();
  for (const uid of ['a', 'b"q', 'c\\d', '中', 'e', 'f', 'a']) {
    set.add(uid);
    check();
  }
  set.delete('e');
  check();
  set.load(['x', 'y', 'z', 'w', 'v']);
  check();
  set.clear();
  check();
});
