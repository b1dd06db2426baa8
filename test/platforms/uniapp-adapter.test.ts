/**
 * The uni-app adapter on the `uni` simulator, App and H5 flavours (real sockets and HTTP): the
 * adapter contract plus the host mapping (test/support/host-simulators/host-adapter-cases.ts), and
 * uni's rule that connectSocket/request hand out a task only when given a callback.
 */
import { createUniappAdapter } from '../../platforms/uniapp/uniapp-adapter';
import { createUniSimulator } from '../support/host-simulators';
import { describeHostAdapter, socketLog, useContractServers } from '../support/host-simulators/host-adapter-cases';

const env = useContractServers();
const MB = 1024 * 1024;

describeHostAdapter({ name: 'uniapp App (uni simulator)', makeAdapter: (device) => createUniappAdapter(createUniSimulator('app', {}, device).host) }, env);
describeHostAdapter({ name: 'uniapp H5 (uni simulator)', makeAdapter: (device) => createUniappAdapter(createUniSimulator('h5', {}, device).host), storageTotalBytes: 5 * MB }, env);

describe('uniapp specifics', () => {
  test('without a callback uni.connectSocket returns a Promise, not a SocketTask (the adapter always passes callbacks)', async () => {
    const { raw, device } = createUniSimulator('app');
    const result = raw.connectSocket({ url: `${env().wsUrl}/echo` });
    expect(result).toBeInstanceOf(Promise);
    expect(device.misuse).toEqual(['uni.connectSocket without success/fail/complete returns a Promise, not a SocketTask']);
    await result;
    device.shutdown();
  });

  test('binaryFrames: false (App runtimes without ArrayBuffer frames) refuses sockets asynchronously without touching uni', async () => {
    const { host, device } = createUniSimulator('app');
    const adapter = createUniappAdapter(host, { binaryFrames: false });
    expect(adapter.capabilities.binaryFrames).toBe(false);
    const log = socketLog();
    adapter.openSocket(`${env().wsUrl}/echo`, log.handlers);
    expect(log.events).toEqual([]);
    expect((await log.closed).code).toBe(1006);
    expect(log.events).toEqual(['error', 'close:1006']);
    expect(device.socketsOpened).toBe(0);
    const res = await adapter.request({ method: 'GET', url: `${env().httpUrl}/text`, responseType: 'text', timeoutMs: 5_000 }).response;
    expect(res.body).toBe('héllo wörld');
  });
});
