/**
 * Placeholder for repositories not yet ported to PostgreSQL (see the report on issue #11): every
 * method rejects with a clear error instead of silently misbehaving. Remove once each `pg-*.ts`
 * repository exists; the store contract lists exactly what is still missing.
 */
export function pendingRepository<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get: (_target, property) =>
      typeof property === 'string' && property !== 'then'
        ? () => Promise.reject(new Error(`PostgreSQL store: ${name}.${property} is not implemented yet`))
        : undefined,
  });
}
