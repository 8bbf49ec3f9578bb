import type { EntityManager } from '@mikro-orm/core';

/**
 * Raw SQL in the caller's transaction, if any. The vault uses raw statements for atomic upserts
 * (`on conflict`) and to keep secrets out of the caller's identity map.
 */
export function sqlRows<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  return em.getConnection().execute(sql, params, 'all', em.getTransactionContext()) as Promise<T[]>;
}
