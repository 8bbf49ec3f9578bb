import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAtProperty, idProperty, updatedAtProperty } from './common.ts';

export const INTEGRATION_STATUSES = [
  'pending_auth',
  'active',
  'degraded',
  'needs_reauth',
  'disabled',
] as const;
export type IntegrationStatus = (typeof INTEGRATION_STATUSES)[number];

/** One connected marketplace account of a tenant. Secret settings live in `credentials`, never here. */
export const Integration = defineEntity({
  name: 'Integration',
  tableName: 'integrations',
  indexes: [{ properties: ['pluginId', 'status'] }],
  uniques: [{ properties: ['tenantId', 'pluginId', 'externalAccountId'] }],
  properties: {
    id: idProperty(),
    tenantId: p.uuid().index(),
    companyId: p.uuid().nullable(),
    /** The series its invoices are numbered in; null: the company's default for the currency. */
    seriesId: p.uuid().nullable(),
    pluginId: p.string().length(64),
    label: p.string().length(200),
    /** The marketplace's id for the account (Allegro user id, eMAG username@platform). */
    externalAccountId: p.string().length(200).nullable(),
    status: p.enum(INTEGRATION_STATUSES).default('pending_auth'),
    statusReason: p.text().nullable(),
    /** Non-secret settings, valid against the plugin's schema at `settingsVersion`. */
    settings: p.json<Record<string, unknown>>(),
    settingsVersion: p.integer().default(1),
    consecutiveFailures: p.integer().default(0),
    syncErrorCount: p.integer().default(0),
    lastSyncAt: p.datetime().nullable(),
    lastSuccessAt: p.datetime().nullable(),
    lastSyncError: p.text().nullable(),
    /** Disconnected by a person: secrets erased, history kept; connecting it again resumes it. */
    disconnectedAt: p.datetime().nullable(),
    /** SHA-256 of the secret in the integration's webhook URL. */
    webhookTokenHash: p.string().length(64).nullable().unique(),
    createdAt: createdAtProperty(),
    updatedAt: updatedAtProperty(),
  },
});
export type IIntegration = InferEntity<typeof Integration>;
