import { isPlatformAdmin } from '../auth/access.ts';
import { disabledPluginIds } from '../integrations/enablement.ts';
import { schemaForTenant } from '../integrations/host-choices.ts';
import { pluginView, refusedView } from './plugin-view.ts';
import { adminProcedure, authedProcedure, router } from './trpc.ts';

export const pluginsRouter = router({
  /** Connectors the caller's tenant may use (platform admins: every loaded one). */
  list: authedProcedure.query(async ({ ctx }) => {
    const { plugins } = ctx.services;
    if (isPlatformAdmin(ctx.principal) || !ctx.principal.tenantId) {
      return isPlatformAdmin(ctx.principal) ? plugins.plugins.map(pluginView) : [];
    }
    const tenantId = ctx.principal.tenantId;
    const off = await disabledPluginIds(ctx.services.db.orm.em.fork(), tenantId);
    // Host-choice settings (x-host-choices) list the tenant's own records in the connect form.
    return Promise.all(
      plugins.plugins
        .filter((p) => !off.has(p.id))
        .map(pluginView)
        .map(async (view) => ({
          ...view,
          settingsSchema: await schemaForTenant(ctx.services.db.pool, view.settingsSchema, { tenantId }),
        })),
    );
  }),

  /** Everything the registry named: loaded plugins and refused ones with their issues. */
  catalog: adminProcedure.query(({ ctx }) => {
    const { plugins } = ctx.services;
    return {
      plugins: plugins.plugins.map(pluginView),
      refused: refusedView(plugins),
      registryIssues: plugins.registryIssues.map((i) => ({
        code: i.code,
        pointer: i.pointer,
        message: i.message,
      })),
    };
  }),
});
