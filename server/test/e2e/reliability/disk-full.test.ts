/**
 * A full disk under the embedded SQLite store: the data directory on a small tmpfs (3 MB) that sends fill
 * up. Sends are refused with an error status (no crash, no dropped connection), /healthz stays 200, sends
 * succeed again once space comes back (the tmpfs is grown, no restart), and after a restart every PUBACKed
 * message is there exactly once. Needs to mount a tmpfs (Linux, root); where it cannot, the test says why
 * on stderr and checks nothing. LIANXIN_TEST_NO_TMPFS=1 skips it on purpose.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { decodeByName, encodeByName } from '../../../../src/internal';
import { connectRaw, type RawClient } from '../../../../test/support/raw-client';
import { warnSkipped } from '../../../../test/support/engines/redis-server';
import { serverApi } from '../../../../test/support/server-api-client';
import { startServer, type RunningServer } from '../../../../test/support/server-launcher';
import { connectUser, tokenFor, uniqueId, upstream } from '../e2e-support';

jest.setTimeout(120_000);

const APP = { key: 'lxdiskfull', secret: 'lxdiskfullsecret', options: { maxSendRate: 100_000 } };
const scratch = mkdtempSync(join(tmpdir(), 'lianxin-diskfull-'));
const mount = join(scratch, 'mnt');
let mounted = false;
const servers: RunningServer[] = [];
const clients: RawClient[] = [];

/** Mounts the small tmpfs; why it cannot, or undefined when it is mounted. */
function mountTmpfs(): string | undefined {
  if (process.env.LIANXIN_TEST_NO_TMPFS === '1') return 'disabled by LIANXIN_TEST_NO_TMPFS=1';
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (userInfo().uid !== 0) return 'not running as root (mounting a tmpfs needs it)';
  mkdirSync(mount);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mount], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    return `mount -t tmpfs failed: ${(error as { stderr?: Buffer }).stderr?.toString().trim() || String(error)}`;
  }
  mounted = true;
  return undefined;
}

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
  if (mounted) {
    try {
      execFileSync('umount', ['-l', mount], { stdio: 'ignore' });
    } catch {
      // Already gone.
    }
  }
  rmSync(scratch, { recursive: true, force: true });
});

it('a full disk refuses sends with an error status, keeps the server alive, and loses no acked message', async () => {
  const unavailable = mountTmpfs();
  if (unavailable !== undefined) {
    warnSkipped('disk-full test (SQLite data directory on a 3 MB tmpfs)', unavailable);
    return;
  }
  const dataDir = join(mount, 'data');
  const server = await startServer({ apps: [APP], dataDir });
  servers.push(server);
  const api = serverApi(server.url, APP.key, APP.secret);
  const b = uniqueId('b');
  const ca = await connectUser(server.url, APP.key, api, uniqueId('a'), clients);
  const big = 'x'.repeat(60_000);
  const acked: string[] = [];
  const statuses: (number | string)[] = [];
  const deadline = Date.now() + 40_000;
  for (let i = 0; i < 200 && Date.now() < deadline; i++) {
    try {
      const ack = await Promise.race([ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: `${i} ${big}` }), { timeoutMs: 5000 }), ca.closed.then(() => 'closed' as const)]);
      if (ack === 'closed') {
        statuses.push('closed');
        break;
      }
      if (ack.status === 0) {
        acked.push(ack.messageUId ?? '');
      } else {
        statuses.push(ack.status ?? 'none');
        if (statuses.length >= 3) break;
      }
    } catch (error) {
      statuses.push(String(error).slice(0, 80));
      break;
    }
  }
  const health = await fetch(`${server.url}/healthz`).then((r) => r.status, (e: unknown) => String(e));
  const alive = server.proc.exitCode === null && server.proc.signalCode === null;
  const errLines = server.stderr().split('\n').filter((l) => /"level":(50|60)|fatal/.test(l)).slice(0, 3).map((l) => l.slice(0, 300));
  expect({ acked: acked.length, statuses, alive, health, errLines }).toMatchObject({ alive: true, health: 200 });
  expect(statuses.length).toBeGreaterThan(0);
  expect(statuses.every((st) => typeof st === 'number')).toBe(true);

  // Space comes back: sends succeed again without a restart, and after a restart every acked message is there.
  execFileSync('mount', ['-o', 'remount,size=64m', mount], { stdio: 'ignore' });
  const after = await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: 'after space returned' }), { timeoutMs: 10_000 });
  expect(after.status).toBe(0);
  acked.push(after.messageUId ?? '');
  expect((await server.stop()).code).toBe(0);
  const again = await startServer({ apps: [APP], dataDir });
  servers.push(again);
  const cb = await connectRaw({ url: again.url, appKey: APP.key, token: await tokenFor(serverApi(again.url, APP.key, APP.secret), b) });
  clients.push(cb);
  const seen: string[] = [];
  let syncTime = 0;
  for (let page = 0; page < 50; page++) {
    const ack = await cb.query('pullMsg', b, encodeByName('SyncRequestMsg', { syncTime, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 }));
    const res = decodeByName('DownStreamMessages', ack.payload);
    seen.push(...res.list.map((m) => m.msgId ?? ''));
    syncTime = Math.max(syncTime, res.syncTime);
    if (res.finished) break;
  }
  expect(acked.filter((u) => !seen.includes(u))).toEqual([]);
  expect(new Set(seen).size).toBe(seen.length);
});
