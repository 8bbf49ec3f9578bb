import { createHash } from 'node:crypto';
import type { Database } from '../db/orm.ts';
import { HostError } from '../errors.ts';
import type { Vault } from '../vault/vault.ts';

/** A state is good for this long: enough to log in at the marketplace, short enough to be useless later. */
const STATE_TTL_MS = 10 * 60 * 1000;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** An `oauth_states` row: who started an authorization, for which plugin, and until when. */
export interface StateRow {
  tenant_id: string;
  user_id: string;
  plugin_id: string;
  integration_id: string | null;
  verifier_ciphertext: string;
  return_to: string | null;
  session_hash: string | null;
  expires_at: Date | string;
  used_at: Date | string | null;
}

/** Stores a new state (hashed) with the PKCE verifier encrypted in the vault. */
export async function saveState(
  deps: { db: Database; vault: Vault },
  input: {
    state: string;
    tenantId: string;
    userId: string;
    pluginId: string;
    integrationId: string | null;
    verifier: string;
    returnTo: string | null;
    sessionHash: string | null;
  },
): Promise<void> {
  await deps.db.pool.query(
    `insert into oauth_states (state_hash, tenant_id, user_id, plugin_id, integration_id, verifier_ciphertext, return_to, session_hash, expires_at, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, clock_timestamp())`,
    [
      sha256(input.state),
      input.tenantId,
      input.userId,
      input.pluginId,
      input.integrationId,
      await deps.vault.encrypt({
        tenantId: input.tenantId,
        plaintext: input.verifier,
        context: 'oauth-verifier',
      }),
      input.returnTo,
      input.sessionHash,
      new Date(Date.now() + STATE_TTL_MS),
    ],
  );
}

/**
 * Marks the state used and returns it, atomically, so a replayed callback finds it used; says
 * why when there is no unused state to take.
 */
export async function consumeState(
  deps: { db: Database },
  input: { state: string; pluginId: string },
): Promise<StateRow> {
  const stateHash = sha256(input.state);
  const { rows } = await deps.db.pool.query<StateRow>(
    `update oauth_states set used_at = clock_timestamp()
      where state_hash = $1 and used_at is null and plugin_id = $2
      returning tenant_id, user_id, plugin_id, integration_id, verifier_ciphertext, return_to, session_hash, expires_at, used_at`,
    [stateHash, input.pluginId],
  );
  const state = rows[0];
  if (state) return state;
  const seen = await deps.db.pool.query('select 1 from oauth_states where state_hash = $1', [stateHash]);
  throw new HostError(
    'BAD_REQUEST',
    seen.rows.length
      ? 'This authorization was already completed (the link was used twice); connect the account again if needed.'
      : 'Unknown authorization state: the link is forged or from another server; start connecting the account again.',
  );
}

/** Reads the PKCE verifier stored with the state ('' when the plugin does not use PKCE). */
export function decryptVerifier(deps: { vault: Vault }, state: StateRow): Promise<string> {
  return deps.vault.decrypt({
    tenantId: state.tenant_id,
    ciphertext: state.verifier_ciphertext,
    context: 'oauth-verifier',
  });
}

/**
 * The callback must be completed by whoever started the authorization (RFC 9700 §4.7.1: state
 * bound to the user agent): in the same console session when a session started it, else by the
 * same user (an API token's owner, signed in or sending the token). Otherwise an attacker could
 * hand a victim their authorization link and receive the victim's marketplace account.
 */
export function assertSameCaller(
  state: StateRow,
  caller: { userId: string | null; sessionHash: string | null },
): void {
  if (caller.userId && caller.userId !== state.user_id) {
    throw new HostError(
      'FORBIDDEN',
      'This authorization was started by another user, so nothing was connected. Connect the account from your own Settings → Integrations page.',
    );
  }
  if (state.session_hash) {
    if (caller.sessionHash !== state.session_hash) {
      throw new HostError(
        'FORBIDDEN',
        'This authorization was started in another browser or session, so nothing was connected. Start connecting the account again from this browser (Settings → Integrations).',
      );
    }
  } else if (caller.userId !== state.user_id) {
    throw new HostError(
      'FORBIDDEN',
      'This authorization was started with an API token, so it must be completed by the same user: send that token with the callback, or sign in to the console first. Nothing was connected; start again.',
    );
  }
}
