import {
  listen,
  type RunningSandbox,
  type SandboxOptions,
  type StartSandbox,
} from '@mch/plugin-sdk/sandbox-kit';
import { ACCOUNTS } from './accounts.ts';
import { buildServer } from './server.ts';

/**
 * The eMAG Marketplace sandbox (docs/ARCHITECTURE.md "Sandboxes"; README in this folder).
 * `url` is the server root and answers as an API base itself (the credentials choose the platform);
 * each platform also lives under `/{ro|bg|hu|fdro|fdbg}/api-3` and under its real host name.
 * `options.extra`:
 * - `callbackUrl`: new-order notification target (`GET <url>?order_id=N`);
 * - `callbackRetryMs`: notify again at this interval until the order is acknowledged;
 * - `newOrdersEveryMs` / `newOrdersAccount`: demo mode, a new order every N ms (default account `ro-main`);
 * - `newReturnsEveryMs`: demo mode, a customer opens a return on a delivered order of that account
 *   every N ms (new-returns.ts);
 * - `buyerCancelEveryMs`: demo mode, a customer has a not yet acknowledged order of that account
 *   cancelled every N ms (buyer-cancel.ts);
 * - `offers`: offers per account (default 60), for volume tests of `product_offer/read` and saves;
 * - `now`: ISO date or ms, creation time of the newest seeded order (default: start time), for
 *   byte-identical data across runs.
 */
export const startSandbox: StartSandbox = async (options: SandboxOptions = {}): Promise<RunningSandbox> => {
  const extra = options.extra ?? {};
  const callbackUrl = typeof extra.callbackUrl === 'string' ? extra.callbackUrl : undefined;
  const anchor = parseAnchor(extra.now);
  const num = (v: unknown) => (typeof v === 'number' && v > 0 ? v : undefined);
  const newOrdersEveryMs = num(extra.newOrdersEveryMs);
  const callbackRetryMs = num(extra.callbackRetryMs);
  const newReturnsEveryMs = num(extra.newReturnsEveryMs);
  const buyerCancelEveryMs = num(extra.buyerCancelEveryMs);
  let url = '';
  const { app } = buildServer({
    seed: String(options.seed ?? 'emag'),
    orders: options.orders ?? 200,
    ...(num(extra.offers) ? { offers: num(extra.offers)! } : {}),
    ...(options.faults ? { faults: options.faults } : {}),
    rateLimit: options.rateLimit ?? true,
    ...(callbackUrl ? { callbackUrl } : {}),
    ...(newOrdersEveryMs ? { newOrdersEveryMs } : {}),
    ...(callbackRetryMs ? { callbackRetryMs } : {}),
    ...(newReturnsEveryMs ? { newReturnsEveryMs } : {}),
    ...(buyerCancelEveryMs ? { buyerCancelEveryMs } : {}),
    ...(typeof extra.newOrdersAccount === 'string' ? { newOrdersAccount: extra.newOrdersAccount } : {}),
    anchor,
    ...(options.stateDir ? { stateDir: options.stateDir } : {}),
    baseUrl: () => url,
  });
  url = await listen(app, {
    ...(options.port !== undefined ? { port: options.port } : {}),
    host: options.host ?? '127.0.0.1',
  });
  const first = ACCOUNTS[0]!;
  return {
    url,
    credentials: { username: first.username, password: first.password },
    // Every seller of the sandbox (accounts.ts), named like the plugin's settings, for the demo's
    // connect form; each signs in only on its own platform.
    accounts: ACCOUNTS.slice(1).map((a) => ({
      platform: a.platform.id,
      accountType: a.kind,
      username: a.username,
      password: a.password,
    })),
    controlUrl: `${url}/__sandbox`,
    close: () => app.close(),
  };
};

function parseAnchor(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  return Math.floor(Date.now() / 1000) * 1000;
}
