import type { AccountOutput, PluginContext } from '@mch/plugin-sdk';
import { allegro } from './allegro-api.ts';

/** `GET /me`: the connected seller's id and login label the integration (multi-account). */
export async function fetchAccount(ctx: PluginContext): Promise<AccountOutput> {
  const me = (await allegro(ctx, { path: '/me' })).json<{ id: string; login?: string; email?: string }>();
  return { id: String(me.id), label: me.login ?? me.email ?? String(me.id) };
}
