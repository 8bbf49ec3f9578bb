import { PLATFORMS, type Platform, type PlatformId } from './platforms.ts';

/**
 * Seller accounts. Every platform has a `main` account (orders fulfilled by the seller,
 * type 3) and an `fbe` account (fulfilled by eMAG: mostly type 2), matching the
 * main/fbe split of the system we replace (seed 002). Names are deterministic so a
 * test can derive them: username `{platform}-{kind}@sandbox.emag`, password
 * `sandbox-{platform}-{kind}`. `GET /__sandbox/accounts` lists them all.
 */
export type AccountKind = 'main' | 'fbe';

export interface Account {
  /** Stable key, `{platform}-{kind}`, used by the ledger and control routes. */
  key: string;
  platform: Platform;
  kind: AccountKind;
  username: string;
  password: string;
  /** Position in ACCOUNTS; spaces the order id ranges of different accounts apart. */
  ordinal: number;
}

export const ACCOUNT_KINDS: readonly AccountKind[] = ['main', 'fbe'];

export const ACCOUNTS: readonly Account[] = PLATFORMS.flatMap((platform, p) =>
  ACCOUNT_KINDS.map((kind, k) => ({
    key: `${platform.id}-${kind}`,
    platform,
    kind,
    username: `${platform.id}-${kind}@sandbox.emag`,
    password: `sandbox-${platform.id}-${kind}`,
    ordinal: p * ACCOUNT_KINDS.length + k,
  })),
);

export function findAccount(key: string): Account | undefined {
  return ACCOUNTS.find((a) => a.key === key);
}

export type AuthOutcome = { ok: true; account: Account } | { ok: false };

/**
 * HTTP Basic check; an account only works on its own platform, as on the real hosts. Without a
 * platform (the server root) the account's own platform serves it.
 */
export function authenticate(header: string | undefined, platform: PlatformId | undefined): AuthOutcome {
  if (!header?.startsWith('Basic ')) return { ok: false };
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { ok: false };
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  const account = ACCOUNTS.find(
    (a) => a.username === username && (platform === undefined || a.platform.id === platform),
  );
  if (!account || account.password !== password) return { ok: false };
  return { ok: true, account };
}
