import type { PluginStore } from '@mch/plugin-sdk';
import type { SqlPool } from '../../db/orm.ts';

/** `ctx.store`: durable per-integration checkpoints in the `cursors` table. */
export function createPluginStore(options: { pool: SqlPool; integrationId: string }): PluginStore {
  const { pool, integrationId } = options;
  return {
    async get<T>(key: string) {
      const { rows } = await pool.query<{ value: T }>(
        'select value from cursors where integration_id = $1 and key = $2',
        [integrationId, key],
      );
      return rows[0]?.value;
    },
    async set(key, value) {
      await pool.query(
        `insert into cursors (integration_id, key, value, updated_at) values ($1, $2, $3::jsonb, now())
         on conflict (integration_id, key) do update set value = excluded.value, updated_at = excluded.updated_at`,
        [integrationId, key, JSON.stringify(value ?? null)],
      );
    },
    async delete(key) {
      await pool.query('delete from cursors where integration_id = $1 and key = $2', [integrationId, key]);
    },
  };
}
