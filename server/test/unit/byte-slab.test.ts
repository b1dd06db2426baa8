/** ByteSlab (server/src/byte-slab.ts): views cut from a shared slab never overlap and are never written again. */
import { ByteSlab } from '../../src/byte-slab';
import { seeded } from '../../../test/support/seeded';

describe('ByteSlab', () => {
  it('hands out disjoint, 8-byte aligned views that keep their bytes while later ones are written', () => {
    const slab = new ByteSlab(1024);
    const rng = seeded(7);
    const kept: [Uint8Array, number][] = [];
    for (let i = 0; i < 2000; i++) {
      const size = Math.floor(rng() * (rng() < 0.1 ? 600 : 90));
      const bytes = slab.allocate(size);
      expect(bytes.length).toBe(size);
      expect(bytes.constructor).toBe(Uint8Array);
      expect(bytes.byteOffset % 8).toBe(0);
      bytes.fill(i & 0xff);
      kept.push([bytes, i & 0xff]);
    }
    for (const [bytes, value] of kept) expect(bytes.every((b) => b === value)).toBe(true);
    // Over a quarter of a slab: an array of its own.
    const big = slab.allocate(300);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(300);
  });

  it('takes only what was written; space left untaken is handed out again', () => {
    const slab = new ByteSlab(1024);
    const first = slab.allocate(10);
    const room = slab.room(100);
    const start = slab.start(room);
    expect(start).toBe(16);
    // Written but not taken (an encoder that fell back): the next view starts at the same place.
    room.fill(9, start, start + 50);
    const next = slab.allocate(20);
    expect(next.byteOffset).toBe(16);
    expect(next.buffer).toBe(first.buffer);
    // A slab that cannot hold what is asked for is replaced; the old views stay as they were.
    first.fill(1);
    const fresh = slab.room(250);
    expect(fresh.buffer).toBe(first.buffer);
    slab.allocate(250);
    slab.allocate(250);
    slab.allocate(250);
    const later = slab.allocate(250);
    expect(later.buffer).not.toBe(first.buffer);
    expect(first.every((b) => b === 1)).toBe(true);
  });
});
