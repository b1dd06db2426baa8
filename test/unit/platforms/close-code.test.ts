/** Host close codes: Douyin's typings allow `code` as a numeric string; the adapters report a number. */
import { closeCodeOf } from '../../../platforms/shared/task-socket';

describe('closeCodeOf', () => {
  test('numbers pass through, numeric strings are parsed', () => {
    expect(closeCodeOf(1000)).toBe(1000);
    expect(closeCodeOf('4001')).toBe(4001);
    expect(closeCodeOf('1000')).toBe(1000);
  });
  test('missing or non-numeric codes are an abnormal closure (1006)', () => {
    expect(closeCodeOf(undefined)).toBe(1006);
    expect(closeCodeOf('')).toBe(1006);
    expect(closeCodeOf('closed')).toBe(1006);
    expect(closeCodeOf('10000')).toBe(1006);
  });
});
