import { isPlatformAdmin } from '../auth/access.ts';
import { disabledPluginIds } from '../integrations/enablement.ts';
import { pluginView, refusedView } from './plugin-view.ts';
import { adminProcedure, authedProcedure, router } from './trpc.ts';

export const pluginsRouter = router({
  /** Connectors the caller's tenant may use (platform admins: every loaded one). */
  list: authedProcedure.query(async ({ ctx }) => {
    const { plugins } = ctx.services;
    if (isPlatformAdmin(ctx.principal) || !ctx.principal.tenantId) {
      return isPlatformAdmin(ctx.principal) ? plugins.plugins.map(pluginView) : [];
    }
    const off = await disabledPluginIds(ctx.services.db.orm.em.fork(), ctx.principal.tenantId);
    return plugins.plugins.filter((p) => !off.has(p.id)).map(pluginView);
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
