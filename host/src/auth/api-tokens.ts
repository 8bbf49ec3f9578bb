import type { EntityManager } from '@mikro-orm/core';
import { ApiToken } from '../db/entities/index.ts';
import { principalStatus, type Principal } from './principal.ts';
import { API_TOKEN_PREFIX, randomToken, sha256Hex } from './tokens.ts';

/** `lastUsedAt` is informational: writing it on every request would turn reads into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Issues a token for a user; the returned string is shown once and never stored. */
export async function issueApiToken({
  em,
  userId,
  name = 'cli',
  expiresAt = null,
}: {
  em: EntityManager;
  userId: string;
  name?: string;
  /** Refused from then on; null: until revoked. */
  expiresAt?: Date | null;
}): Promise<{ id: string; token: string }> {
  const token = `${API_TOKEN_PREFIX}${randomToken()}`;
  const row = em.create(ApiToken, { userId, tokenHash: sha256Hex(token), name, expiresAt });
  await em.flush();
  return { id: row.id, token };
}

/** Where a console user manages tokens, named in every refusal. */
const WHERE = 'create a new one in the console (Settings → Profile → API tokens)';

/**
 * The principal behind `Authorization: Bearer <token>`, or the sentence saying why it is refused
 * (null for a token that does not exist: nothing to say about it).
 */
export async function checkApiToken({
  em,
  token,
  now = new Date(),
}: {
  em: EntityManager;
  token: string | undefined;
  now?: Date;
}): Promise<{ principal: Principal } | { refusal: string | null }> {
  if (!token?.startsWith(API_TOKEN_PREFIX)) return { refusal: null };
  const row = await em.findOne(ApiToken, { tokenHash: sha256Hex(token) });
  if (!row) return { refusal: null };
  if (row.revokedAt)
    return { refusal: `This API token was revoked on ${row.revokedAt.toISOString()}; ${WHERE}.` };
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime())
    return { refusal: `This API token expired on ${row.expiresAt.toISOString()}; ${WHERE}.` };
  const status = await principalStatus(em, row.userId);
  if ('refused' in status) {
    switch (status.refused) {
      case 'user_disabled':
        return {
          refusal: 'The account this API token belongs to is disabled; ask an administrator to enable it.',
        };
      case 'tenant_disabled':
        return {
          refusal:
            'The organisation this API token belongs to is disabled; ask a platform administrator to enable it.',
        };
      case 'gone':
        return { refusal: null };
    }
  }
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    await em.nativeUpdate(ApiToken, { id: row.id }, { lastUsedAt: now });
  }
  return status;
}

/** The principal behind a token, or null (unknown, revoked, expired, owner or tenant disabled). */
export async function authenticateApiToken(input: {
  em: EntityManager;
  token: string | undefined;
  now?: Date;
}): Promise<Principal | null> {
  const result = await checkApiToken(input);
  return 'principal' in result ? result.principal : null;
}

export async function revokeApiToken({ em, id }: { em: EntityManager; id: string }): Promise<boolean> {
  return (await em.nativeUpdate(ApiToken, { id, revokedAt: null }, { revokedAt: new Date() })) > 0;
}

/** The token from an `Authorization` header (`Bearer <token>`, case-insensitive scheme). */
export function readBearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}
