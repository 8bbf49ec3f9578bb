import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { updatedAtProperty } from './common.ts';

/** Which connectors an admin has enabled for a tenant. */
export const PluginEnablement = defineEntity({
  name: 'PluginEnablement',
  tableName: 'plugin_enablements',
  primaryKeys: ['tenantId', 'pluginId'],
  properties: {
    tenantId: p.uuid().primary(),
    pluginId: p.string().length(64).primary(),
    enabled: p.boolean().default(true),
    updatedAt: updatedAtProperty(),
  },
});
export type IPluginEnablement = InferEntity<typeof PluginEnablement>;
