import { AuthError, RetryableError, type PluginContext, type TestConnectionOutput } from '@mch/plugin-sdk';
import { renderTemplate, type ConnectionTest } from '@mch/schemas';

/**
 * The manifest's connection test (`auth.test`, issue 14): the host sends the request with the
 * account's credentials, through `ctx.http` (auth, rate limits), and says what the answer means
 * for the person connecting — nothing of the answer's body, which may echo what was sent.
 */
export async function runConnectionTest(
  ctx: PluginContext,
  options: { test: ConnectionTest; name: string },
): Promise<TestConnectionOutput> {
  const { test, name } = options;
  const values = { config: ctx.config, settings: ctx.settings };
  const query = Object.fromEntries(
    Object.entries(test.query ?? {}).map(([key, template]) => [key, renderTemplate(template, values)]),
  );
  try {
    const response = await ctx.http.request({
      method: test.method,
      path: renderTemplate(test.path, values),
      query,
      idempotent: true,
    });
    const { status } = response;
    if (status >= 200 && status < 300) return { ok: true, message: `${name} accepted the connection.` };
    if (status === 403)
      return {
        ok: false,
        message: `${name} knows these credentials but does not let them read what the connector needs (HTTP 403); give them read access and try again.`,
      };
    if (status === 404)
      return {
        ok: false,
        message: `${name} has no API at this address (HTTP 404); check the address in the settings.`,
      };
    if (status === 429 || status >= 500)
      return {
        ok: false,
        retryable: true,
        message: `${name} could not check the settings just now (HTTP ${status}); they are kept and used at the next sync.`,
      };
    return {
      ok: false,
      message: `${name} refused these settings (HTTP ${status}); check them and try again.`,
    };
  } catch (error) {
    if (error instanceof AuthError)
      return { ok: false, message: `${name} refused the credentials; check them and try again.` };
    if (error instanceof RetryableError)
      return {
        ok: false,
        retryable: true,
        message: `${name} could not be reached to check the settings (${error.message}); they are kept and used at the next sync.`,
      };
    throw error;
  }
}
