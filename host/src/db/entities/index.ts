import { ApiToken } from './api-token.entity.ts';
import { AuditLog } from './audit-log.entity.ts';
import { Company } from './company.entity.ts';
import { Credential } from './credential.entity.ts';
import { Cursor } from './cursor.entity.ts';
import { Customer } from './customer.entity.ts';
import { Integration } from './integration.entity.ts';
import { InvoiceLine } from './invoice-line.entity.ts';
import { InvoiceSeries } from './invoice-series.entity.ts';
import { Invoice } from './invoice.entity.ts';
import { LedgerEntry } from './ledger-entry.entity.ts';
import { OAuthState } from './oauth-state.entity.ts';
import { OutboundOperation } from './outbound-operation.entity.ts';
import { PluginEnablement } from './plugin-enablement.entity.ts';
import { Product } from './product.entity.ts';
import { Session } from './session.entity.ts';
import { SyncRun } from './sync-run.entity.ts';
import { TenantKey } from './tenant-key.entity.ts';
import { Tenant } from './tenant.entity.ts';
import { User } from './user.entity.ts';

export {
  ApiToken,
  AuditLog,
  Company,
  Credential,
  Cursor,
  Customer,
  Integration,
  Invoice,
  InvoiceLine,
  InvoiceSeries,
  LedgerEntry,
  OAuthState,
  OutboundOperation,
  PluginEnablement,
  Product,
  Session,
  SyncRun,
  Tenant,
  TenantKey,
  User,
};

export const ALL_ENTITIES = [
  Tenant,
  Company,
  InvoiceSeries,
  User,
  Session,
  ApiToken,
  PluginEnablement,
  Integration,
  Credential,
  TenantKey,
  SyncRun,
  Cursor,
  LedgerEntry,
  OutboundOperation,
  Customer,
  Product,
  Invoice,
  InvoiceLine,
  AuditLog,
  OAuthState,
];
