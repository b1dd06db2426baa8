/**
 * Console apps without HTTP: the registry merge (configured apps win and survive `replace`, stored apps
 * come and go with `setStoredApps`), and two "nodes" (two ConsoleApps over one SQLite file, each with
 * its own registry and hub) — a change made on one reaches the other at its next load, which also
 * disconnects the other node's sessions of a disabled or rotated app.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBroker } from '../../../src/broker/memory-broker';
import { MemoryPresence } from '../../../src/broker/memory-presence';
import { createAppConfig, createAppRegistry, type ServerConfig } from '../../../src/config';
import type { ServerContext } from '../../../src/context';
import { Hub } from '../../../src/gateway/hub';
import { SessionRegistry, type LocalSession } from '../../../src/gateway/session-registry';
import type { UserEvent } from '../../../src/gateway/user-event';
import { ConsoleApps } from '../../../src/http/console/console-apps';
import { createLogger } from '../../../src/log';
import { createTokenService } from '../../../src/services/auth-tokens';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store';
import type { Store } from '../../../src/store/store';

describe('app registry with stored apps', () => {
  it('merges configured and stored apps; a configured key wins; replace keeps the stored ones', () => {
    const registry = createAppRegistry([createAppConfig('cfg', 'secret1')]);
    registry.setStoredApps([createAppConfig('st1', 'secret2'), createAppConfig('cfg', 'other')]);
    expect(registry.list().map((a) => `${a.appKey}:${a.appSecret}`)).toEqual(['cfg:secret1', 'st1:secret2']);
    expect(registry.get('cfg')?.appSecret).toBe('secret1');
    expect(registry.isConfigured('cfg')).toBe(true);
    expect(registry.isConfigured('st1')).toBe(false);
    registry.replace([createAppConfig('cfg2', 'secret3')]);
    expect(registry.list().map((a) => a.appKey)).toEqual(['cfg2', 'st1', 'cfg']);
    expect(registry.get('cfg')?.appSecret).toBe('other');
    registry.setStoredApps([]);
    expect(registry.get('st1')).toBeUndefined();
  });
});

interface Node {
  readonly apps: ConsoleApps;
  readonly ctx: ServerContext;
  readonly kicks: string[];
  readonly hub: Hub;
  readonly store: Store;
}

describe('console apps across two nodes sharing one store', () => {
  let dir = '';
  const nodes: Node[] = [];
  let now = 1_700_000_000_000;

  async function node(name: string): Promise<Node> {
    const store = createSqliteStore({ file: join(dir, 'store.db') });
    await store.migrate();
    const apps = createAppRegistry([createAppConfig('cfgapp', 'cfgsecret')]);
    const config = { dataDir: dir } as unknown as ServerConfig;
    const ctx: ServerContext = { config, store, apps, tokens: createTokenService({ apps, users: store.users }), clock: { now: () => now }, log: createLogger('silent') };
    const hub = new Hub({ nodeId: name, broker: new MemoryBroker(), presence: new MemoryPresence(), registry: new SessionRegistry(), presenceTtlMs: 10_000 });
    const made: Node = { apps: new ConsoleApps(ctx, { hub }), ctx, kicks: [], hub, store };
    nodes.push(made);
    return made;
  }

  function session(n: Node, appKey: string, id: string): LocalSession {
    return {
      info: { sessionId: id, appKey, userId: 'u', platform: 'web', clientKind: 'E4', sdkVer: '2.9.2', transport: 'websocket', connectedAt: 1 },
      deliver: (event: UserEvent) => {
        if (event.kind === 'kick') n.kicks.push(`${id}:${event.reason}`);
      },
    };
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lianxin-console-apps-'));
  });
  afterEach(async () => {
    for (const n of nodes.splice(0)) {
      n.apps.close();
      await n.hub.close();
      await n.store.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('a new app, a rotation and a disable made on A reach B at its next load; B kicks its own sessions', async () => {
    const a = await node('A');
    const b = await node('B');
    await a.apps.load();
    await b.apps.load();
    const created = await a.apps.create({ name: 'Shop', appKey: 'shop1' });
    expect(created).toMatchObject({ status: 200, body: { appKey: 'shop1' } });
    const secret = String(created.body['appSecret']);
    expect(a.ctx.apps.get('shop1')?.appSecret).toBe(secret);
    expect(b.ctx.apps.get('shop1')).toBeUndefined();
    await b.apps.load();
    expect(b.ctx.apps.get('shop1')?.appSecret).toBe(secret);
    // A token issued on A verifies on B.
    const token = a.ctx.tokens.issue('shop1', 'u', now);
    expect(b.ctx.tokens.verify(token)).toMatchObject({ ok: true, appKey: 'shop1', userId: 'u' });

    await a.hub.attach(session(a, 'shop1', 'A.1'));
    await b.hub.attach(session(b, 'shop1', 'B.1'));
    await b.hub.attach(session(b, 'cfgapp', 'B.2'));
    now += 1000;
    const rotated = await a.apps.change('shop1', 'rotate', {});
    expect(a.kicks).toEqual(['A.1:3']);
    expect(b.kicks).toEqual([]);
    await b.apps.load();
    expect(b.kicks).toEqual(['B.1:3']);
    expect(b.ctx.apps.get('shop1')?.appSecret).toBe(rotated.body['appSecret']);
    expect(b.ctx.tokens.verify(token)).toMatchObject({ ok: false, reason: 'bad-signature' });
    // A load with nothing new kicks nobody.
    await b.apps.load();
    await a.apps.load();
    expect([...a.kicks, ...b.kicks]).toEqual(['A.1:3', 'B.1:3']);

    now += 1000;
    expect((await a.apps.change('shop1', 'disable', {})).status).toBe(200);
    await b.apps.load();
    expect(b.ctx.apps.get('shop1')).toBeUndefined();
    expect(b.kicks).toEqual(['B.1:3', 'B.1:3']);
    expect(await b.apps.change('cfgapp', 'disable', {})).toMatchObject({ status: 403 });
    expect(b.kicks.filter((k) => k.startsWith('B.2'))).toEqual([]);
  });

  it('options are validated by the same parser as --app and applied at once', async () => {
    const a = await node('A');
    await a.apps.load();
    expect(await a.apps.create({ appKey: 'opt1', options: { maxGroupMembers: '0' } })).toMatchObject({ status: 400 });
    expect(await a.apps.create({ appKey: 'opt1', options: { recallWindowMs: 5000 } })).toMatchObject({ status: 200 });
    expect(a.ctx.apps.get('opt1')?.recallWindowMs).toBe(5000);
    expect(await a.apps.change('opt1', 'options', { options: { recallWindowMs: 'x' } })).toMatchObject({ status: 400 });
    expect(await a.apps.change('opt1', 'options', { options: { multiDevice: true } })).toMatchObject({ status: 200 });
    expect(a.ctx.apps.get('opt1')).toMatchObject({ multiDevice: true, recallWindowMs: 120_000 });
    expect(await a.apps.change('opt1', 'explode', {})).toMatchObject({ status: 404 });
  });
});
