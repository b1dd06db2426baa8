import { TrustedProxies } from '../../../src/http/client-address';

describe('TrustedProxies', () => {
  it('trusts addresses, ranges and the loopback/private names, IPv4-mapped peers as their IPv4 address', () => {
    const proxies = new TrustedProxies(['loopback', '10.1.0.0/16', '2001:db8::/32', '192.0.2.5']);
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1', '10.1.200.3', '::FFFF:10.1.0.1', '2001:db8:1::9', '192.0.2.5']) expect([address, proxies.trusts(address)]).toEqual([address, true]);
    for (const address of ['10.2.0.1', '192.0.2.6', '2001:db9::1', '::2', 'garbage', '']) expect([address, proxies.trusts(address)]).toEqual([address, false]);
    const inside = new TrustedProxies(['private']);
    expect(['10.9.9.9', '172.31.0.1', '192.168.1.1', 'fd12::1'].every((a) => inside.trusts(a))).toBe(true);
    expect(['172.32.0.1', '11.0.0.1', 'fe80::1'].some((a) => inside.trusts(a))).toBe(false);
    expect(new TrustedProxies([]).trusts('127.0.0.1')).toBe(false);
  });

  it('walks X-Forwarded-For from the peer to the first untrusted hop', () => {
    const proxies = new TrustedProxies(['loopback', '10.0.0.0/8']);
    const client = (peer: string | undefined, header: string | string[] | undefined): string | undefined => proxies.clientAddress(peer, header);
    expect(client('127.0.0.1', '203.0.113.1')).toBe('203.0.113.1');
    expect(client('127.0.0.1', '198.51.100.1, 203.0.113.1, 10.0.0.2')).toBe('203.0.113.1');
    expect(client('127.0.0.1', ['198.51.100.1', '203.0.113.2,10.0.0.3'])).toBe('203.0.113.2');
    // Every hop trusted: the farthest one. A malformed entry stops the walk at the hop before it.
    expect(client('127.0.0.1', '10.0.0.9, 10.0.0.8')).toBe('10.0.0.9');
    expect(client('127.0.0.1', '203.0.113.3, unknown, 10.0.0.4')).toBe('10.0.0.4');
    expect(client('127.0.0.1', 'unknown')).toBe('127.0.0.1');
    // An untrusted peer's header is never read; no header, no peer: as they are.
    expect(client('198.51.100.7', '203.0.113.4')).toBe('198.51.100.7');
    expect(client('127.0.0.1', undefined)).toBe('127.0.0.1');
    expect(client(undefined, '203.0.113.5')).toBeUndefined();
  });
});
