/**
 * "A RongIMLib 2.x sample app runs unchanged against Lianxin on Node": two processes run the same
 * seed-style sample (test/support/sample-app/rongimlib-sample.mjs) through the built `lianxin/node`
 * entry and talk to each other through a real server.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ensureBuilt, REPO_ROOT } from '../support/dist';
import { serverApi } from '../support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../support/server-launcher';

type SampleEvent = Record<string, unknown>;

interface Sample {
  readonly events: SampleEvent[];
  next(predicate: (e: SampleEvent) => boolean, timeoutMs?: number): Promise<SampleEvent>;
  command(value: unknown): void;
  readonly child: ChildProcessWithoutNullStreams;
}

const SCRIPT = path.join(REPO_ROOT, 'test', 'support', 'sample-app', 'rongimlib-sample.mjs');
let server: RunningServer;
const samples: Sample[] = [];

function runSample(token: string): Sample {
  const child = spawn(process.execPath, [SCRIPT], {
    cwd: REPO_ROOT,
    env: { ...process.env, APP_KEY: DEFAULT_TEST_APP.key, NAVI: server.url, TOKEN: token },
  });
  const events: SampleEvent[] = [];
  const waiters: Array<{ predicate: (e: SampleEvent) => boolean; resolve: (e: SampleEvent) => void }> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const event = JSON.parse(line) as SampleEvent;
    events.push(event);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(event)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  });
  const sample: Sample = {
    events,
    child,
    command: (value) => child.stdin.write(`${JSON.stringify(value)}\n`),
    next: (predicate, timeoutMs = 10_000) => {
      const found = events.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`sample: no matching event in ${timeoutMs} ms; got ${JSON.stringify(events)}`)), timeoutMs);
        waiters.push({ predicate, resolve: (e) => { clearTimeout(timer); resolve(e); } });
      });
    },
  };
  samples.push(sample);
  return sample;
}

async function token(userId: string): Promise<string> {
  const res = await serverApi(server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret).post<{ token: string }>('/user/getToken.json', { userId, name: userId, portraitUri: 'https://example.com/p.png' });
  return res.body.token;
}

beforeAll(async () => {
  ensureBuilt(['dist/node.mjs']);
  server = await startServer();
}, 300_000);

afterAll(async () => {
  for (const s of samples) s.child.kill('SIGKILL');
  await server.stop();
});

test('two copies of an unchanged RongIMLib 2.x sample app talk through Lianxin on Node', async () => {
  const suffix = Date.now().toString(36);
  const [alice, bob] = [`alice${suffix}`, `bob${suffix}`];
  const a = runSample(await token(alice));
  const b = runSample(await token(bob));
  expect(await a.next((e) => 'connected' in e || 'connectError' in e)).toEqual({ connected: alice });
  expect(await b.next((e) => 'connected' in e || 'connectError' in e)).toEqual({ connected: bob });
  expect(a.events).toContainEqual({ status: 0 });

  a.command({ send: { to: bob, content: 'hi bob' } });
  const sent = await a.next((e) => 'sent' in e || 'sendError' in e);
  expect(sent).toHaveProperty('sent');
  const got = await b.next((e) => 'received' in e);
  expect(got).toEqual({ received: { from: alice, type: 'TextMessage', content: 'hi bob', uid: (sent['sent'] as { uid: string }).uid } });

  b.command({ send: { to: alice, content: 'hi alice' } });
  expect(await a.next((e) => 'received' in e)).toMatchObject({ received: { from: bob, content: 'hi alice' } });
  a.command({ quit: true });
  b.command({ quit: true });
}, 60_000);
