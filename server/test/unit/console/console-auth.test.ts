/**
 * Console logins in memory (server/src/http/console/console-auth.ts), with a manual clock: expired logins are
 * dropped by later logins even when their cookie never comes back, and the live ones are bounded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleAuth, SESSION_TTL_MS } from '../../../src/http/console/console-auth';

const PASSWORD = 'correct horse battery';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lx-console-auth-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The sessions held in memory, whatever the class exposes (the map is what a long-running process keeps). */
function kept(auth: ConsoleAuth): number {
  return (auth as unknown as { sessions: Map<string, number> }).sessions.size;
}

const ADDRESS = '192.0.2.7';

function harness(options?: { maxSessions?: number }): { auth: ConsoleAuth; clock: { t: number } } {
  const clock = { t: 1_000_000 };
  const auth = new ConsoleAuth(dir, () => clock.t, options);
  expect(auth.change(auth.generatedPassword ?? '', PASSWORD, undefined, ADDRESS)).toBe('ok');
  return { auth, clock };
}

describe('console sessions', () => {
  it('drops expired logins at the next login, though their cookies are never used again', () => {
    const { auth, clock } = harness();
    const old: string[] = [];
    for (let i = 0; i < 20; i++) {
      const id = auth.login(PASSWORD, ADDRESS);
      expect(id).toBeDefined();
      old.push(id ?? '');
      clock.t += 1000;
    }
    expect(kept(auth)).toBe(20);
    clock.t += SESSION_TTL_MS;
    const fresh = auth.login(PASSWORD, ADDRESS);
    expect(kept(auth)).toBe(1);
    expect(auth.valid(fresh)).toBe(true);
    expect(old.some((id) => auth.valid(id))).toBe(false);
  });

  it('keeps logins that have not expired yet, dropping only the expired ones', () => {
    const { auth, clock } = harness();
    const first = auth.login(PASSWORD, ADDRESS);
    clock.t += SESSION_TTL_MS / 2;
    const second = auth.login(PASSWORD, ADDRESS);
    clock.t += SESSION_TTL_MS / 2;
    const third = auth.login(PASSWORD, ADDRESS);
    expect(kept(auth)).toBe(2);
    expect([auth.valid(first), auth.valid(second), auth.valid(third)]).toEqual([false, true, true]);
  });

  it('bounds live sessions: a login beyond the bound ends the oldest', () => {
    const { auth } = harness({ maxSessions: 5 });
    const ids = Array.from({ length: 8 }, () => auth.login(PASSWORD, ADDRESS) ?? '');
    expect(kept(auth)).toBe(5);
    expect(auth.size).toBe(5);
    expect(ids.map((id) => auth.valid(id))).toEqual([false, false, false, true, true, true, true, true]);
  });

  it('a wrong password opens nothing and evicts nobody', () => {
    const { auth } = harness({ maxSessions: 2 });
    const a = auth.login(PASSWORD, ADDRESS);
    const b = auth.login(PASSWORD, ADDRESS);
    expect(auth.login('wrong password', ADDRESS)).toBeUndefined();
    expect([auth.valid(a), auth.valid(b)]).toEqual([true, true]);
  });
});

describe('console login throttle', () => {
  it('counts failures per client address: a wrong password from one address does not lock the admin out of another', () => {
    const { auth, clock } = harness();
    for (let i = 0; i < 10; i++) expect(auth.login('wrong password', '198.51.100.1')).toBeUndefined();
    expect(auth.throttled('198.51.100.1')).toBe(true);
    // A global count let anyone keep the admin out with one wrong login every 6 s.
    expect(auth.throttled(ADDRESS)).toBe(false);
    expect(auth.login(PASSWORD, ADDRESS)).toBeDefined();
    clock.t += 60_001;
    expect(auth.throttled('198.51.100.1')).toBe(false);
  });

  it('failures from many addresses together throttle every address (guessing spread over addresses)', () => {
    const { auth } = harness();
    for (let i = 0; i < 100; i++) auth.login('wrong password', `198.51.100.${i}`);
    expect(auth.throttled(ADDRESS)).toBe(true);
  });

  it('wrong current passwords of a password change count as failures', () => {
    const { auth } = harness();
    for (let i = 0; i < 10; i++) expect(auth.change('wrong password', 'another password', undefined, ADDRESS)).toBe('wrong');
    expect(auth.throttled(ADDRESS)).toBe(true);
  });
});
