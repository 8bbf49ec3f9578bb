import { compileSettingsValidator, settingsIssuesSentence, type SettingsValidator } from '@mch/schemas';
import { isPluginError, PluginErrorCode } from '@mch/plugin-sdk';
import type { Principal } from '../auth/principal.ts';
import { HostError } from '../errors.ts';
import { findAccessibleIntegration } from './access.ts';
import { switchedOffFlow } from '../plugins/flow-switch.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { pluginOf } from './plugin-lookup.ts';
import type { IntegrationDeps } from './ports.ts';
import { isPluginEnabled } from './enablement.ts';

export interface PluginActions {
  /** Runs the manifest action `action` of one integration (its hook) with validated input. */
  runAction(input: { principal: Principal; id: string; action: string; input: unknown }): Promise<unknown>;
}

const validators = new Map<string, SettingsValidator>();

/**
 * Manifest `actions[]` (operations a person starts: cancel an order, move a return), served
 * generically: the integration must be usable, the action's flow switched on, and the input valid
 * against the action's JSON Schema before the hook runs. A ConfigError from the hook is a refusal
 * the caller can act on (400); a RefusedError is the marketplace's rule refusing it (409, the rule
 * in words); an AuthError means the account needs reconnecting (412).
 */
export function createPluginActions(deps: IntegrationDeps): PluginActions {
  return {
    async runAction({ principal, id, action: actionId, input }) {
      const em = deps.db.orm.em.fork();
      const row = await findAccessibleIntegration(em, principal, id);
      const plugin = pluginOf(deps, row);
      const action = plugin.manifest.actions.find((a) => a.id === actionId);
      if (!action) {
        const known = plugin.manifest.actions.map((a) => a.id);
        throw new HostError('NOT_FOUND', `${plugin.manifest.name} has no action '${actionId}'.`, {
          issues: [
            {
              path: '/action',
              code: 'UNKNOWN_ACTION',
              message: known.length ? `must be one of ${known.join(', ')}` : 'this plugin has no actions',
            },
          ],
        });
      }
      if (!(await isPluginEnabled(em, row.tenantId, row.pluginId)))
        throw new HostError(
          'PRECONDITION_FAILED',
          `The ${plugin.manifest.name} connector is switched off for this tenant.`,
        );
      if (row.status !== 'active' && row.status !== 'degraded')
        throw new HostError(
          'PRECONDITION_FAILED',
          `The integration is ${row.status}; enable or reconnect it before running '${action.title}'.`,
        );
      const flow = switchedOffFlow(plugin, action.flow, row.settings);
      if (flow)
        throw new HostError(
          'PRECONDITION_FAILED',
          `'${flow.title}' is switched off in this integration's settings; switch it on to use '${action.title}'.`,
        );
      const key = `${plugin.id}@${plugin.manifest.version}:${action.id}`;
      let validate = validators.get(key);
      if (!validate) {
        validate = compileSettingsValidator(action.input);
        validators.set(key, validate);
      }
      const checked = validate(input ?? {});
      if (!checked.ok)
        throw new HostError(
          'BAD_REQUEST',
          `'${action.title}' was not done: ${settingsIssuesSentence(checked.issues)}`,
          {
            issues: checked.issues.map((i) => ({ path: i.path, code: i.code, message: i.message })),
          },
        );
      const hooks = deps.sync;
      recordAudit(em, {
        tenantId: row.tenantId,
        actorUserId: principal.userId,
        action: 'integration.action',
        targetType: 'integration',
        targetId: row.id,
        details: { action: action.id, input: checked.value },
      });
      await em.flush();
      try {
        return await hooks.runAction({
          integrationId: row.id,
          tenantId: row.tenantId,
          hook: action.hook,
          input: checked.value,
        });
      } catch (error) {
        if (isPluginError(error) && error.code === PluginErrorCode.CONFIG)
          throw new HostError('BAD_REQUEST', error.message);
        // The marketplace's rules refuse it (a move its status does not allow): the rule in words.
        if (isPluginError(error) && error.code === PluginErrorCode.REFUSED)
          throw new HostError('CONFLICT', error.message);
        if (isPluginError(error) && error.code === PluginErrorCode.AUTH)
          throw new HostError('PRECONDITION_FAILED', error.message);
        throw new HostError(
          'SERVICE_UNAVAILABLE',
          `'${action.title}' failed: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
    },
  };
}
