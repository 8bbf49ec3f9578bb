import { accountRouter } from './account.router.ts';
import { adminRouter } from './admin.router.ts';
import { alertsRouter } from './alerts.router.ts';
import { authRouter } from './auth.router.ts';
import { integrationsRouter } from './integrations.router.ts';
import { invoiceSeriesRouter } from './invoice-series.router.ts';
import { invoiceTemplatesRouter } from './invoice-templates.router.ts';
import { invoicesRouter } from './invoices.router.ts';
import { pluginsRouter } from './plugins.router.ts';
import { productsRouter } from './products.router.ts';
import { systemRouter } from './system.router.ts';
import { teamRouter } from './team.router.ts';
import { tenantRouter } from './tenant.router.ts';
import { router } from './trpc.ts';

/** The tRPC API the console uses (SPEC "Interfaces": `/trpc/*`). One sub-router per concept. */
export const appRouter = router({
  system: systemRouter,
  auth: authRouter,
  plugins: pluginsRouter,
  integrations: integrationsRouter,
  invoices: invoicesRouter,
  alerts: alertsRouter,
  invoiceTemplates: invoiceTemplatesRouter,
  invoiceSeries: invoiceSeriesRouter,
  products: productsRouter,
  tenant: tenantRouter,
  admin: adminRouter,
  account: accountRouter,
  team: teamRouter,
});

export type AppRouter = typeof appRouter;
