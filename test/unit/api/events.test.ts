/** TypedEmitter invariants: registration order, snapshot dispatch, contained listener errors, once/off. */
import { TypedEmitter } from '../../../src/events';

interface Events {
  value: number;
  ping: void;
}

test('listeners run in order; a throwing listener is reported and does not stop the others', () => {
  const errors: Array<[unknown, unknown]> = [];
  const emitter = new TypedEmitter<Events>((error, event) => errors.push([error instanceof Error ? error.message : error, event]));
  const seen: string[] = [];
  emitter.on('value', (v) => seen.push(`a${v}`));
  emitter.on('value', () => {
    throw new Error('boom');
  });
  emitter.on('value', (v) => seen.push(`c${v}`));
  expect(() => emitter.emit('value', 1)).not.toThrow();
  expect(seen).toEqual(['a1', 'c1']);
  expect(errors).toEqual([['boom', 'value']]);
});

test('once fires a single time; unsubscribe and removal during dispatch take effect from the next emit', () => {
  const emitter = new TypedEmitter<Events>();
  let pings = 0;
  emitter.once('ping', () => (pings += 1));
  emitter.emit('ping');
  emitter.emit('ping');
  expect(pings).toBe(1);
  const seen: number[] = [];
  const offB = emitter.on('value', (v) => seen.push(v * 10));
  emitter.on('value', (v) => {
    seen.push(v);
    offB();
  });
  emitter.emit('value', 1);
  emitter.emit('value', 2);
  expect(seen).toEqual([10, 1, 2]);
  expect(emitter.listenerCount('value')).toBe(1);
  emitter.removeAllListeners();
  expect(emitter.listenerCount('value')).toBe(0);
});
