/**
 * The reconnect storm's server-side probes (scripts/storm-core.ts): /metrics scraping (sessions,
 * RSS, heap) and /healthz + navi latency measured while the storm runs.
 */
import { Worker } from 'node:worker_threads';
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

/**
 * The probe loop, run in a worker thread (plain JS: no TypeScript loader there): the storm process's
 * own event loop stalls for seconds while it opens thousands of sockets, and probes on that loop
 * measured those stalls, not the server (issue #13: a /healthz and a navi probe "timed out" together
 * while the server's loop was free). One request of each kind at a time, every `everyMs`.
 */
const PROBE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, naviPath, everyMs } = workerData;
const startedAt = performance.now();
let running = true;
const result = { health: [], navi: [], healthFailures: 0, naviFailures: 0, healthFirst: undefined, naviFirst: undefined, slow: [], selfStall: 0 };
let last = performance.now();
const tick = setInterval(() => {
  const now = performance.now();
  result.selfStall = Math.max(result.selfStall, now - last - 20);
  last = now;
}, 20);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function probe(kind, path) {
  while (running) {
    const t0 = performance.now();
    try {
      const response = await fetch(url + path, { signal: AbortSignal.timeout(10000) });
      await response.text();
      if (response.status !== 200) fail(kind, 'HTTP ' + response.status, t0);
      else {
        const ms = performance.now() - t0;
        result[kind].push(ms);
        if (ms > 1000) result.slow.push([kind, Math.round(t0 - startedAt), Math.round(ms)]);
      }
    } catch (error) {
      const cause = error && typeof error === 'object' && 'cause' in error ? String(error.cause) : '';
      fail(kind, (String(error) + ' ' + cause).trim(), t0);
    }
    await sleep(everyMs);
  }
}
function fail(kind, why, t0) {
  result[kind + 'Failures']++;
  const key = kind + 'First';
  if (result[key] === undefined) result[key] = why + ' at ' + Math.round(t0 - startedAt) + ' ms';
}
const loops = Promise.all([probe('health', '/healthz'), probe('navi', naviPath)]);
parentPort.once('message', async () => {
  running = false;
  await loops;
  clearInterval(tick);
  parentPort.postMessage(result);
});
`;

interface ProbeResult {
  readonly health: number[];
  readonly navi: number[];
  readonly healthFailures: number;
  readonly naviFailures: number;
  readonly healthFirst?: string;
  readonly naviFirst?: string;
  readonly slow: [string, number, number][];
  readonly selfStall: number;
}

/** Probes /healthz and navi every `everyMs` from a worker thread until stopped. */
export function startProbes(options: ProbeTarget, everyMs: number): { stop(): Promise<{ healthz: LatencyFigures; navi: LatencyFigures }> } {
  const token = options.users[0]?.token ?? '';
  const naviPath = `/navi.js?appId=${encodeURIComponent(options.appKey)}&token=${encodeURIComponent(token)}&callBack=getServerEndpoint`;
  const worker = new Worker(PROBE_WORKER, { eval: true, workerData: { url: options.url(), naviPath, everyMs } });
  const done = new Promise<ProbeResult>((resolve, reject) => {
    worker.once('message', (result: ProbeResult) => resolve(result));
    worker.once('error', reject);
  });
  return {
    stop: async () => {
      worker.postMessage('stop');
      const r = await done;
      await worker.terminate();
      console.log(`storm: probes over 1 s (kind, ms after drop, ms): ${JSON.stringify(r.slow)}; probe thread's longest stall ${Math.round(r.selfStall)} ms`);
      return { healthz: figures(r.health, r.healthFailures, r.healthFirst), navi: figures(r.navi, r.naviFailures, r.naviFirst) };
    },
  };
}

/** Event-loop stalls of the server over the storm (read over its inspector, scripts/server-inspector.ts). */
export interface StallReading {
  /** Longest gap between two 20 ms ticks, minus the tick: how long the loop was blocked at most. */
  readonly maxStallMs: number;
  /** monitorEventLoopDelay p99 over the window. */
  readonly delayP99Ms: number;
  /** Gaps over 200 ms: [ms after the drop, length ms]. */
  readonly stalls: readonly (readonly [number, number])[];
}

/**
 * Evaluated in the server's main context at the drop (process.getBuiltinModule: Node ≥ 20.16);
 * replaces the monitor of a previous cycle.
 */
export const STALL_MONITOR = `(() => {
  const { performance, monitorEventLoopDelay } = process.getBuiltinModule('node:perf_hooks');
  const old = globalThis.__stormStalls;
  if (old !== undefined) { clearInterval(old.timer); old.histogram.disable(); }
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const t0 = performance.now();
  const state = { histogram, stalls: [], max: 0, last: t0, timer: undefined };
  state.timer = setInterval(() => {
    const now = performance.now();
    const gap = now - state.last - 20;
    state.last = now;
    if (gap > state.max) state.max = gap;
    if (gap > 200 && state.stalls.length < 500) state.stalls.push([Math.round(now - gap - t0), Math.round(gap)]);
  }, 20);
  state.timer.unref();
  globalThis.__stormStalls = state;
  return 'ok';
})()`;

export async function readStalls(inspector: { evaluate<T>(expression: string): Promise<T> }): Promise<StallReading> {
  const json = await inspector.evaluate<string>(`(() => {
    const s = globalThis.__stormStalls;
    if (s === undefined) return JSON.stringify({ maxStallMs: 0, delayP99Ms: 0, stalls: [] });
    const r = JSON.stringify({ maxStallMs: Math.round(s.max), delayP99Ms: s.histogram.percentile(99) / 1e6, stalls: s.stalls });
    clearInterval(s.timer); s.histogram.disable(); globalThis.__stormStalls = undefined;
    return r;
  })()`);
  return JSON.parse(json) as StallReading;
}

/** `counts` per `bucketMs` window, as `0-4s:1234 4-8s:…` (empty windows left out). */
export function histogram(valuesMs: readonly number[], bucketMs: number): string {
  const counts = new Map<number, number>();
  for (const v of valuesMs) {
    const b = Math.floor(v / bucketMs);
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([b, n]) => `${(b * bucketMs) / 1000}-${((b + 1) * bucketMs) / 1000}s:${n}`).join(' ');
}
