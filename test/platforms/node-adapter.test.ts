import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeAdapterContract } from '../../platforms/adapter.contract';
import { startContractServers, type ContractServers } from './contract-servers';
import { createNodeAdapter } from '../../platforms/node/node-adapter';

let servers: ContractServers | undefined;
const dir = mkdtempSync(path.join(tmpdir(), 'lianxin-node-adapter-'));
const env = () => {
  if (servers === undefined) throw new Error('contract servers not started');
  return servers;
};

beforeAll(async () => {
  servers = await startContractServers();
});
afterAll(async () => {
  await servers?.close();
  rmSync(dir, { recursive: true, force: true });
});

describeAdapterContract('node (memory storage)', () => createNodeAdapter(), env);
describeAdapterContract('node (file storage)', () => createNodeAdapter({ storageFile: path.join(dir, 'store.json') }), env, {
  sharedStorage: true,
});
