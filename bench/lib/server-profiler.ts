/**
 * V8 CPU profile of the server under test over exactly the measured window, without touching the
 * server's code: the server is started with `NODE_OPTIONS=--inspect=127.0.0.1:0` (`--cpu-prof` is not
 * allowed there), and the orchestrator drives the Chrome DevTools Protocol over the inspector's
 * WebSocket: Profiler.start at measure-start, Profiler.stop at measure-end, saved as a `.cpuprofile`
 * (open in Chrome DevTools or summarise with `node --import tsx bench/lib/cpu-profile-summary.ts FILE`).
 */
import { writeFileSync } from 'node:fs';
import WebSocket from 'ws';
import type { RunningServer } from '../../test/support/server-launcher';

/** Environment for the server process so that its inspector listens on a free loopback port. */
export const INSPECT_ENV: Readonly<Record<string, string>> = { NODE_OPTIONS: '--inspect=127.0.0.1:0' };

export interface ServerProfiler {
  start(): Promise<void>;
  /** Stops profiling and writes the profile to `file`. */
  stop(file: string): Promise<void>;
  close(): void;
}

/** A DevTools-protocol session on the server's inspector (started with INSPECT_ENV). */
export interface InspectorSession {
  call(method: string, params?: Record<string, unknown>): Promise<unknown>;
  close(): void;
}

export async function connectInspector(running: RunningServer): Promise<InspectorSession> {
  const match = await running.stderrMatch(/Debugger listening on (ws:\/\/\S+)/, 10_000);
  const ws = new WebSocket(match[1] as string, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  ws.on('message', (data: WebSocket.RawData) => {
    const message = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
    if (message.id === undefined) return;
    const entry = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error !== undefined) entry?.reject(new Error(message.error.message));
    else entry?.resolve(message.result);
  });
  ws.on('close', () => {
    for (const entry of waiting.values()) entry.reject(new Error('inspector closed'));
    waiting.clear();
  });
  return {
    call: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}

export async function attachProfiler(running: RunningServer): Promise<ServerProfiler> {
  const { call, close } = await connectInspector(running);
  await call('Profiler.enable');
  // 250 µs sampling: fine enough for per-message costs of a few µs summed over many messages.
  await call('Profiler.setSamplingInterval', { interval: 250 });
  return {
    start: async () => {
      await call('Profiler.start');
    },
    stop: async (file) => {
      const result = (await call('Profiler.stop')) as { profile: unknown };
      writeFileSync(file, JSON.stringify(result.profile));
    },
    close,
  };
}

/**
 * V8 sampling heap profile of the server over the measured window (`--server-heap-profile DIR`): where the
 * bytes are allocated, garbage included (objects a scavenge or a full GC already collected still count), so
 * it shows what makes the scavenger run. Saved as `.heapprofile` (Chrome DevTools → Memory, or
 * `node --import tsx bench/lib/heap-profile-summary.ts FILE`).
 */
export async function attachHeapProfiler(running: RunningServer): Promise<ServerProfiler> {
  const { call, close } = await connectInspector(running);
  await call('HeapProfiler.enable');
  return {
    start: async () => {
      await call('HeapProfiler.startSampling', {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    },
    stop: async (file) => {
      const result = (await call('HeapProfiler.stopSampling')) as { profile: unknown };
      writeFileSync(file, JSON.stringify(result.profile));
    },
    close,
  };
}
