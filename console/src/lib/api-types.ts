// View models of the host's tRPC answers, inferred from its router: a change of shape on the
// server is a type error here, not a blank cell in the browser.
import type { Schema } from '@sjsf/form';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../../host/src/api/router.ts';

type Outputs = inferRouterOutputs<AppRouter>;
type Inputs = inferRouterInputs<AppRouter>;

export type PluginInfo = Omit<Outputs['plugins']['list'][number], 'settingsSchema'> & {
  settingsSchema: Schema;
};
export type Integration = Outputs['integrations']['get'] & { tenantName?: string };
export type IntegrationStatus = Outputs['integrations']['status'];
export type SyncRun = Outputs['integrations']['run'];
export type Invoice = Outputs['invoices']['list']['invoices'][number];
export type Clearance = NonNullable<Invoice['clearance']>;
export type InvoiceQuery = Exclude<Inputs['invoices']['list'], void | undefined>;
export type Alert = Outputs['alerts']['list']['alerts'][number];
export type Metrics = Outputs['admin']['metrics'];
export type Tenant = Outputs['admin']['tenants'][number];
export type Catalog = Outputs['plugins']['catalog'];
export type ApiTokenInfo = Outputs['account']['tokens']['tokens'][number];
export type TeamMember = Outputs['team']['users']['users'][number];
type AdminQuery = Exclude<Inputs['admin']['integrations'], void | undefined>;
export type Health = NonNullable<AdminQuery['health']>;
export type AdminSort = NonNullable<AdminQuery['sort']>;
export type BatchAction = Inputs['admin']['batch']['action'];

export const FINISHED_RUN: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);
