/**
 * CMP host probe (PROTOCOL.md §2.6): `GET {http|https}://{host}/ping?r=` to every host in
 * parallel; hosts answering 200 are kept, fastest first. The probe ends when every host answered
 * or timed out; cancelling aborts the outstanding requests.
 */
import type { PlatformAdapter } from '../platform/platform-adapter';
import { cancellableRequest, type Cancellation } from './cancellation';

export const PING_TIMEOUT_MS = 5_000;

export async function probeHosts(
  platform: PlatformAdapter,
  hosts: readonly string[],
  secure: boolean,
  cancel: Cancellation,
  random: () => number = Math.random,
  timeoutMs: number = PING_TIMEOUT_MS,
): Promise<string[]> {
  const scheme = secure ? 'https' : 'http';
  const results = await Promise.all(
    hosts.map(async (host, index) => {
      const started = platform.clock.now();
      const r = 1000 + Math.floor(random() * 8999);
      try {
        const res = await cancellableRequest(
          platform,
          { method: 'GET', url: `${scheme}://${host}/ping?r=${r}`, responseType: 'text', timeoutMs },
          cancel,
        );
        return res.status === 200 ? { host, index, latency: platform.clock.now() - started } : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  return results
    .filter((r): r is { host: string; index: number; latency: number } => r !== undefined)
    .sort((a, b) => a.latency - b.latency || a.index - b.index)
    .map((r) => r.host);
}
