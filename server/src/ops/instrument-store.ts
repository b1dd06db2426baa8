/**
 * Wraps a Store so that every repository call is timed into `lianxin_store_operation_seconds` (and
 * failures counted), without touching the engines. The wrapper is a Proxy per repository: methods
 * are looked up on the real object, so engine-specific fields and `this` keep working.
 */
import type { Store } from '../store/store';
import { serverMetrics, secondsSince, type ServerMetrics } from './server-metrics';

function instrumentRepository<R extends object>(repository: R, name: string, metrics: ServerMetrics): R {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(repository, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const cached = wrapped.get(property);
      if (cached !== undefined) return cached;
      const method = value as (...args: unknown[]) => unknown;
      const labels = { repository: name, operation: property };
      const timed = function (this: unknown, ...args: unknown[]): unknown {
        const startedAt = performance.now();
        let result: unknown;
        try {
          result = method.apply(target, args);
        } catch (error) {
          metrics.storeErrors.inc(labels);
          throw error;
        }
        if (result instanceof Promise) {
          return result.then(
            (resolved: unknown) => {
              metrics.storeLatency.observe(labels, secondsSince(startedAt));
              return resolved;
            },
            (error: unknown) => {
              metrics.storeErrors.inc(labels);
              throw error;
            },
          );
        }
        metrics.storeLatency.observe(labels, secondsSince(startedAt));
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
      const value: unknown = Reflect.get(target, property);
      if (typeof property !== 'string' || value === null || typeof value !== 'object') {
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      }
      let repository = repositories.get(property);
      if (repository === undefined) {
        repository = instrumentRepository(value, property, metrics);
        repositories.set(property, repository);
      }
      return repository;
    },
  });
}
