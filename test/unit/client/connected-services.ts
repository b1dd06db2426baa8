/**
 * The real engine and services over the scripted host (fake-host.ts), connected: CONNACK answered, the
 * socket at hand. Services-level unit tests start here and script the server's side frame by frame.
 */
import { createEngine } from '../../../src/client/im-engine';
import { ImServices } from '../../../src/client/services/im-services';
import { SILENT_LOGGER } from '../../../src/client/logger';
import { F, FakeHost, type FakeSocket } from './fake-host';

export async function connectedServices(): Promise<{ host: FakeHost; services: ImServices; socket: FakeSocket }> {
  const host = new FakeHost();
  const engine = createEngine({ platform: host.adapter, appKey: 'appkey1', navi: ['http://navi.test:9000'], sdkVersion: '2.9.2', random: () => 0.5 });
  const services = new ImServices({ engine, platform: host.adapter, appKey: 'appkey1', policyOf: () => undefined, logger: SILENT_LOGGER, typingExpireMs: 6000 });
  const connected = engine.connect('tok1');
  await host.clock.advance(0);
  const socket = host.lastSocket;
  socket.open();
  socket.deliver(F.connack(0));
  await host.clock.advance(0);
  await connected;
  return { host, services, socket };
}
