/**
 * The Douyin/Toutiao adapter on the `tt` simulator (real sockets and HTTP): the adapter contract
 * plus the host mapping (test/support/host-simulators/host-adapter-cases.ts).
 */
import { createToutiaoAdapter } from '../../platforms/toutiao/toutiao-adapter';
import { createTtSimulator } from '../support/host-simulators';
import { describeHostAdapter, useContractServers } from '../support/host-simulators/host-adapter-cases';

const env = useContractServers();
const MB = 1024 * 1024;

describeHostAdapter({ name: 'toutiao (tt simulator)', makeAdapter: (device) => createToutiaoAdapter(createTtSimulator({}, device).host), storageTotalBytes: 10 * MB }, env);

test('toutiao: name and capabilities (at most 5 sockets, ArrayBuffer frames)', () => {
  const adapter = createToutiaoAdapter(createTtSimulator().host);
  expect(adapter.name).toBe('toutiao');
  expect(adapter.capabilities).toEqual({ maxConcurrentSockets: 5, binaryFrames: true });
});
