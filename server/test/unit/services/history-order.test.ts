import { wantsOrderOneOldestFirst } from '../../../src/services/history';

describe('wantsOrderOneOldestFirst: which clients read an order-1 history page as it comes', () => {
  it.each([
    ['E5', '5.38.0', true],
    ['E5', '5.28.0', true],
    ['E5', '5.36.7', true],
    ['E5', '6.0.0', true],
    ['E5', '', true], // protocolVer without a readable version: the newer engine
    ['E5', '5.7.3', false], // reverses every page, as 2.x
    ['E5', '5.3.4', false],
    ['E4', '2.9.2', false],
    ['E4', '4.4.2', false],
    ['L2', '2.5.3', false],
  ] as const)('%s %s → %s', (clientKind, sdkVer, expected) => {
    expect(wantsOrderOneOldestFirst({ clientKind, sdkVer })).toBe(expected);
  });
});
