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

test('a sole listener that adds listeners during dispatch: they run from the next emit; its errors are contained', () => {
  const errors: unknown[] = [];
  const emitter = new TypedEmitter<Events>((error) => errors.push(error instanceof Error ? error.message : error));
  const seen: string[] = [];
  emitter.on('value', (v) => {
    seen.push(`first${v}`);
    if (v === 1) emitter.on('value', (w) => seen.push(`added${w}`));
    if (v === 3) throw new Error('sole boom');
  });
  emitter.emit('value', 1);
  expect(seen).toEqual(['first1']);
  emitter.emit('value', 2);
  expect(seen).toEqual(['first1', 'first2', 'added2']);
  const lone = new TypedEmitter<Events>((error) => errors.push(error instanceof Error ? error.message : error));
  lone.on('value', () => {
    throw new Error('sole boom');
  });
  expect(() => lone.emit('value', 3)).not.toThrow();
  expect(errors).toEqual(['sole boom']);
});
