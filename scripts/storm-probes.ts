/**
 * The reconnect storm's server-side probes (scripts/storm-core.ts): /metrics scraping (sessions,
 * RSS, heap) and /healthz + navi latency measured while the storm runs.
 */
import { percentile } from '../bench/lib/stats';

export interface LatencyFigures {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly failures: number;
  readonly firstFailure?: string;
}

/** What the probes need from the storm options. */
export interface ProbeTarget {
  readonly url: () => string;
  readonly appKey: string;
  /** navi needs a real token. */
  readonly users: readonly { readonly token: string }[];
}

export async function scrape(url: string, token: string | undefined): Promise<{ sessions: number; rssMb: number; heapMb: number }> {
  const response = await fetch(`${url}/metrics`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  let sessions = 0;
  let rss = 0;
  let heap = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('lianxin_connections{')) sessions += Number(line.slice(line.lastIndexOf(' ') + 1));
    else if (line.startsWith('process_resident_memory_bytes ')) rss = Number(line.slice(line.lastIndexOf(' ') + 1));
    else if (line.startsWith('nodejs_heap_used_bytes ')) heap = Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return { sessions, rssMb: rss / 1e6, heapMb: heap / 1e6 };
}

function figures(samples: readonly number[], failures: number, firstFailure: string | undefined): LatencyFigures {
  return { count: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99), max: samples.length === 0 ? Number.NaN : Math.max(...samples), failures, ...(firstFailure !== undefined ? { firstFailure } : {}) };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Probes /healthz and navi every `everyMs` until stopped; one request of each kind at a time. */
export function startProbes(options: ProbeTarget, everyMs: number): { stop(): Promise<{ healthz: LatencyFigures; navi: LatencyFigures }> } {
  const health: number[] = [];
  const navi: number[] = [];
  let healthFailures = 0;
  let naviFailures = 0;
  let healthFirst: string | undefined;
  let naviFirst: string | undefined;
  let running = true;
  const probe = async (samples: number[], path: () => string, onFail: (why: string) => void): Promise<void> => {
    while (running) {
      const t0 = performance.now();
      try {
        const response = await fetch(`${options.url()}${path()}`, { signal: AbortSignal.timeout(10_000) });
        await response.text();
        if (response.status !== 200) onFail(`HTTP ${response.status}`);
        else samples.push(performance.now() - t0);
      } catch (error) {
        const cause = typeof error === 'object' && error !== null && 'cause' in error ? String((error as { cause: unknown }).cause) : '';
        onFail(`${String(error)} ${cause}`.trim());
      }
      await sleep(everyMs);
    }
  };
  const token = options.users[0]?.token ?? '';
  const loops = [
    probe(health, () => '/healthz', (why) => {
      healthFailures++;
      healthFirst ??= why;
    }),
    probe(navi, () => `/navi.js?appId=${encodeURIComponent(options.appKey)}&token=${encodeURIComponent(token)}&callBack=getServerEndpoint`, (why) => {
      naviFailures++;
      naviFirst ??= why;
    }),
  ];
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return { healthz: figures(health, healthFailures, healthFirst), navi: figures(navi, naviFailures, naviFirst) };
    },
  };
}
