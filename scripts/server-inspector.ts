/**
 * Memory of a server under test after a forced full GC, without touching the server's code: the
 * server is started with `NODE_OPTIONS=--inspect=127.0.0.1:0` (bench/lib/server-profiler.ts's
 * INSPECT_ENV) and we drive the DevTools protocol over its inspector WebSocket:
 * `HeapProfiler.collectGarbage`, then `process.memoryUsage()` evaluated in the server. heapUsed after
 * a full GC is what the server still references (retained memory); RSS also holds pages V8 and the
 * allocator keep after a peak, so RSS alone cannot tell a leak from a high-water mark.
 */
import type { RunningServer } from '../test/support/server-launcher';
import { connectInspector } from '../bench/lib/server-profiler';

export interface GcMemory {
  readonly rssMb: number;
  readonly heapUsedMb: number;
  readonly heapTotalMb: number;
  readonly externalMb: number;
  readonly arrayBuffersMb: number;
}

export interface ServerInspector {
  /** Full GC (twice: weak references and finalizers free more on the second pass), then process.memoryUsage(). */
  gcMemory(): Promise<GcMemory>;
  /** Evaluates an expression in the server's main context and returns its JSON value. */
  evaluate<T>(expression: string): Promise<T>;
  close(): void;
}

export async function attachInspector(running: RunningServer): Promise<ServerInspector> {
  const { call, close } = await connectInspector(running);
  const evaluate = async <T>(expression: string): Promise<T> => {
    const result = (await call('Runtime.evaluate', { expression, returnByValue: true })) as { result?: { value?: unknown }; exceptionDetails?: { text: string } };
    if (result.exceptionDetails !== undefined) throw new Error(`evaluate failed: ${result.exceptionDetails.text}`);
    return result.result?.value as T;
  };
  await call('HeapProfiler.enable');
  const mb = (bytes: number): number => bytes / 1e6;
  return {
    gcMemory: async () => {
      await call('HeapProfiler.collectGarbage');
      await call('HeapProfiler.collectGarbage');
      const m = JSON.parse(await evaluate<string>('JSON.stringify(process.memoryUsage())')) as { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
      return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external), arrayBuffersMb: mb(m.arrayBuffers) };
    },
    evaluate,
    close,
  };
}
