import { parseJsonText, sortIssuesByDocument, validateManifest, type ManifestIssue } from '@mch/schemas';
import { z } from 'zod';
import { isPlatformAdmin } from '../auth/access.ts';
import { disabledPluginIds } from '../integrations/enablement.ts';
import { schemaForTenant } from '../integrations/host-choices.ts';
import { checkExpressions } from '../plugins/expression-checks.ts';
import { pluginView, refusedView } from './plugin-view.ts';
import { adminProcedure, authedProcedure, router } from './trpc.ts';

const issueView = (i: ManifestIssue) => ({ code: i.code, pointer: i.pointer, message: i.message });

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

  /**
   * A manifest not (yet) in the registry, checked as `plugin validate` checks its shape and rules:
   * its problems, or what the console needs to render its settings form (issue 14 "preview").
   * Nothing is loaded or stored; the plugin's code and sandbox are not looked at.
   */
  preview: adminProcedure.input(z.object({ manifest: z.string().max(1_000_000) })).mutation(({ input }) => {
    const parsed = parseJsonText(input.manifest);
    if (!parsed.ok) return { ok: false as const, issues: [issueView(parsed.issue)] };
    const validation = validateManifest(parsed.value);
    const issues = sortIssuesByDocument(
      [...validation.issues, ...checkExpressions(validation.sections)],
      parsed.value,
    );
    if (!validation.ok || issues.length > 0) return { ok: false as const, issues: issues.map(issueView) };
    const { manifest } = validation;
    return {
      ok: true as const,
      plugin: {
        name: manifest.name,
        version: manifest.version,
        settingsSchema: manifest.settings,
      },
    };
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
