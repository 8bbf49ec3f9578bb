import { Migration20261122000000Init } from './20261122000000-init.migration.ts';
import { Migration20261122010000SyncRuntime } from './20261122010000-sync-runtime.migration.ts';
import { Migration20261122020000RedundantTenantIndexes } from './20261122020000-redundant-tenant-indexes.migration.ts';
import { Migration20261203150000InvoicesLegal } from './20261203150000-invoices-legal.migration.ts';
import { Migration20261203150000Security } from './20261203150000-security.migration.ts';
import { Migration20261203151000InvoiceTemplates } from './20261203151000-invoice-templates.migration.ts';
import { Migration20261203150000SecbAccounts } from './20261203150000-secb-accounts.migration.ts';
import { Migration20261203180000DocumentClearance } from './20261203180000-document-clearance.migration.ts';
import { Migration20261203180000FrozenTemplates } from './20261203180000-frozen-templates.migration.ts';
import { Migration20261203190000Corrections } from './20261203190000-corrections.migration.ts';
import { Migration20261203180000ProductOffers } from './20261203180000-product-offers.migration.ts';
import { Migration20261204100000DocumentCompression } from './20261204100000-document-compression.migration.ts';
import { Migration20261204110000ProductWriteCost } from './20261204110000-product-write-cost.migration.ts';
import { Migration20261205060000AlertWebhooks } from './20261205060000-alert-webhooks.migration.ts';
import { Migration20261205070000InvoiceWorkspaceIndexes } from './20261205070000-invoice-workspace-indexes.migration.ts';
import { Migration20261205070000JobHealth } from './20261205070000-job-health.migration.ts';
import { Migration20261205080000DisconnectedAccounts } from './20261205080000-disconnected-accounts.migration.ts';
import { Migration20261205090000RunWords } from './20261205090000-run-words.migration.ts';
import { Migration20261205100000RateWindows } from './20261205100000-rate-windows.migration.ts';
import { Migration20261206060000WaitingCorrections } from './20261206060000-waiting-corrections.migration.ts';

/** Committed migrations, in order. Listed statically so no file discovery is needed at run time. */
export const MIGRATIONS = [
  { name: 'Migration20261122000000Init', class: Migration20261122000000Init },
  { name: 'Migration20261122010000SyncRuntime', class: Migration20261122010000SyncRuntime },
  {
    name: 'Migration20261122020000RedundantTenantIndexes',
    class: Migration20261122020000RedundantTenantIndexes,
  },
  { name: 'Migration20261203150000InvoicesLegal', class: Migration20261203150000InvoicesLegal },
  { name: 'Migration20261203150000Security', class: Migration20261203150000Security },
  { name: 'Migration20261203151000InvoiceTemplates', class: Migration20261203151000InvoiceTemplates },
  { name: 'Migration20261203150000SecbAccounts', class: Migration20261203150000SecbAccounts },
  { name: 'Migration20261203180000DocumentClearance', class: Migration20261203180000DocumentClearance },
  { name: 'Migration20261203180000FrozenTemplates', class: Migration20261203180000FrozenTemplates },
  { name: 'Migration20261203190000Corrections', class: Migration20261203190000Corrections },
  { name: 'Migration20261203180000ProductOffers', class: Migration20261203180000ProductOffers },
  {
    name: 'Migration20261204100000DocumentCompression',
    class: Migration20261204100000DocumentCompression,
  },
  { name: 'Migration20261204110000ProductWriteCost', class: Migration20261204110000ProductWriteCost },
  { name: 'Migration20261205060000AlertWebhooks', class: Migration20261205060000AlertWebhooks },
  {
    name: 'Migration20261205070000InvoiceWorkspaceIndexes',
    class: Migration20261205070000InvoiceWorkspaceIndexes,
  },
  { name: 'Migration20261205070000JobHealth', class: Migration20261205070000JobHealth },
  {
    name: 'Migration20261205080000DisconnectedAccounts',
    class: Migration20261205080000DisconnectedAccounts,
  },
  { name: 'Migration20261205090000RunWords', class: Migration20261205090000RunWords },
  { name: 'Migration20261205100000RateWindows', class: Migration20261205100000RateWindows },
  { name: 'Migration20261206060000WaitingCorrections', class: Migration20261206060000WaitingCorrections },
];
