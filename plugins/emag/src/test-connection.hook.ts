import {
  isPluginError,
  PluginErrorCode,
  type PluginContext,
  type TestConnectionOutput,
} from '@mch/plugin-sdk';
import { emag } from './emag-api.ts';
import type { EmagSettings } from './types.ts';

/**
 * Test connection (seed 002 "Test Connection"): one cheap `order/count`, and a sentence a seller
 * can act on for each way it fails — wrong credentials (HTTP 401), an IP eMAG has not whitelisted
 * (HTTP 200 "Invalid vendor ip"), or eMAG's rate limit (HTTP 429).
 */
export async function testConnection(ctx: PluginContext): Promise<TestConnectionOutput> {
  const platform = (ctx.settings as unknown as EmagSettings).platform;
  try {
    const count = await emag<{ noOfItems?: string }>(ctx, {
      path: 'order/count',
      data: { type: 3 },
      idempotent: true,
    });
    return {
      ok: true,
      message: `Connected to eMAG (${platform.toUpperCase()}); ${count.noOfItems ?? '0'} seller orders visible.`,
      details: { platform, orders: Number(count.noOfItems ?? 0) },
    };
  } catch (error) {
    const code = isPluginError(error) ? error.code : undefined;
    const text = error instanceof Error ? error.message : String(error);
    if (code === PluginErrorCode.AUTH)
      return {
        ok: false,
        message:
          'eMAG did not accept the username or password. Check the API user and its password in the eMAG seller portal, then save them again.',
        details: { reason: 'credentials' },
      };
    if (code === PluginErrorCode.CONFIG)
      return {
        ok: false,
        message:
          "eMAG refuses calls from this server's IP address. Add the server's IP to the API user's whitelist in the eMAG seller portal (Profile → API access), then test again.",
        details: { reason: 'ip-not-whitelisted', error: text },
      };
    if (/request limit|too many requests|rate limit/i.test(text))
      return {
        ok: false,
        message:
          "eMAG's request limit for this account is used up right now (too many requests). The credentials may well be right; wait a minute and test again.",
        retryable: true,
        details: { reason: 'rate-limited' },
      };
    return {
      ok: false,
      message: `eMAG could not be reached or answered with an error (${text}); the settings are kept and tried again at the next sync.`,
      retryable: true,
      details: { reason: 'unavailable' },
    };
  }
}
