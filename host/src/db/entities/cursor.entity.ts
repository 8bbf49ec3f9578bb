import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { updatedAtProperty } from './common.ts';

/** A plugin's durable checkpoint (event cursor, sweep watermark) for one integration. */
export const Cursor = defineEntity({
  name: 'Cursor',
  tableName: 'cursors',
  primaryKeys: ['integrationId', 'key'],
  properties: {
    integrationId: p.uuid().primary(),
    key: p.string().length(128).primary(),
    value: p.json<unknown>(),
    updatedAt: updatedAtProperty(),
  },
});
export type ICursor = InferEntity<typeof Cursor>;
