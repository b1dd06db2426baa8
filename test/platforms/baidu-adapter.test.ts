/**
 * The Baidu adapter on the `swan` simulator (real sockets and HTTP): the adapter contract plus the
 * host mapping (test/support/host-simulators/host-adapter-cases.ts).
 */
import { createBaiduAdapter } from '../../platforms/baidu/baidu-adapter';
import { createSwanSimulator } from '../support/host-simulators';
import { describeHostAdapter, useContractServers } from '../support/host-simulators/host-adapter-cases';

const env = useContractServers();

describeHostAdapter({ name: 'baidu (swan simulator)', makeAdapter: (device) => createBaiduAdapter(createSwanSimulator({}, device).host) }, env);

test('baidu: name and capabilities', () => {
  const adapter = createBaiduAdapter(createSwanSimulator().host);
  expect(adapter.name).toBe('baidu');
  expect(adapter.capabilities).toEqual({ maxConcurrentSockets: 5, binaryFrames: true });
});
