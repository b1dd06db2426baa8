/**
 * The WeChat adapter on the `wx` simulator (real sockets and HTTP): the adapter contract plus the
 * host mapping (test/support/host-simulators/host-adapter-cases.ts) and WeChat's specifics.
 */
import { createWechatAdapter } from '../../platforms/wechat/wechat-adapter';
import { createWxSimulator } from '../support/host-simulators';
import { describeHostAdapter, socketLog, useContractServers } from '../support/host-simulators/host-adapter-cases';

const env = useContractServers();
const MB = 1024 * 1024;

describeHostAdapter({ name: 'wechat (wx simulator)', makeAdapter: (device) => createWechatAdapter(createWxSimulator({}, device).host), storageTotalBytes: 10 * MB }, env);

describe('wechat specifics', () => {
  test('at most 5 sockets (base library ≥ 1.7.0): the capability says so and the sixth never reaches wx', async () => {
    const { host, device } = createWxSimulator();
    const adapter = createWechatAdapter(host);
    expect(adapter.capabilities).toEqual({ maxConcurrentSockets: 5, binaryFrames: true });
    expect(adapter.name).toBe('wechat');
    const logs = Array.from({ length: 6 }, () => socketLog());
    const sockets = logs.map((log) => adapter.openSocket(`${env().wsUrl}/echo`, log.handlers));
    await Promise.all(logs.slice(0, 5).map((l) => l.opened));
    await logs[5]?.closed;
    expect(device.connectFailures).toEqual([]);
    expect(device.socketsOpened).toBe(5);
    for (const s of sockets) s.close();
    device.shutdown();
    expect(device.misuse).toEqual([]);
  });

  test('a JSON body stays text (dataType 其他 turns wx.request parsing off) and header names are lower-cased', async () => {
    const { host, device } = createWxSimulator();
    const res = await createWechatAdapter(host).request({ method: 'GET', url: `${env().httpUrl}/headers`, headers: { 'X-Up': 'A' }, responseType: 'text', timeoutMs: 5_000 }).response;
    expect(typeof res.body).toBe('string');
    expect(JSON.parse(res.body as string)).toMatchObject({ 'x-up': 'A' });
    expect(res.headers['content-type']).toBe('application/json');
    expect(device.misuse).toEqual([]);
  });
});
