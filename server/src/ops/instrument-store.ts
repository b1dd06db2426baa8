/**
 * Wraps a Store so that every repository call is timed into `lianxin_store_operation_seconds` (and
 * failures counted), without touching the engines. The wrapper is a Proxy per repository: methods
 * are looked up on the real object, so engine-specific fields and `this` keep working.
 */
import type { Store } from '../store/store';
import { serverMetrics, type ServerMetrics } from './server-metrics';

function instrumentRepository<R extends object>(repository: R, name: string, metrics: ServerMetrics): R {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(repository, {
    get(target, property) {
      // Methods are looked up once (a repository's methods never change): the hot path is one Map hit.
      const cached = wrapped.get(property);
      if (cached !== undefined) return cached;
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const method = value as (...args: unknown[]) => unknown;
      // Bound once per method: a call records without label lookups; only the success path needs its start time.
      const series = metrics.storeSeries(name, property);
      const failed = (error: unknown): never => {
        series.error();
        throw error;
      };
      const timed = function (this: unknown, ...args: unknown[]): unknown {
        const startedAt = performance.now();
        let result: unknown;
        try {
          result = method.apply(target, args);
        } catch (error) {
          return failed(error);
        }
        if (result instanceof Promise) {
          return result.then((resolved: unknown) => {
            series.observe((performance.now() - startedAt) / 1000);
            return resolved;
          }, failed);
        }
        series.observe((performance.now() - startedAt) / 1000);
        return result;
      };
      wrapped.set(property, timed);
      return timed;
    },
  });
}

/** The same store, with every repository (object-valued field) timed. `migrate`/`close` pass through. */
export function instrumentStore<S extends Store>(store: S, metrics: ServerMetrics = serverMetrics): S {
  const repositories = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, property) {
      const known = repositories.get(property);
      if (known !== undefined) return known;
      const value: unknown = Reflect.get(target, property);
      if (typeof property !== 'string' || value === null || typeof value !== 'object') {
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      }
      const repository = instrumentRepository(value, property, metrics);
      repositories.set(property, repository);
      return repository;
    },
  });
}
