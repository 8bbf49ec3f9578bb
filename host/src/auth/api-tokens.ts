import type { EntityManager } from '@mikro-orm/core';
import { ApiToken } from '../db/entities/index.ts';
import { activePrincipal, type Principal } from './principal.ts';
import { API_TOKEN_PREFIX, randomToken, sha256Hex } from './tokens.ts';

/** `lastUsedAt` is informational: writing it on every request would turn reads into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Issues a token for a user; the returned string is shown once and never stored. */
export async function issueApiToken({
  em,
  userId,
  name = 'cli',
}: {
  em: EntityManager;
  userId: string;
  name?: string;
}): Promise<{ id: string; token: string }> {
  const token = `${API_TOKEN_PREFIX}${randomToken()}`;
  const row = em.create(ApiToken, { userId, tokenHash: sha256Hex(token), name });
  await em.flush();
  return { id: row.id, token };
}

/** The principal behind `Authorization: Bearer <token>`, or null (unknown, revoked, owner disabled). */
export async function authenticateApiToken({
  em,
  token,
  now = new Date(),
}: {
  em: EntityManager;
  token: string | undefined;
  now?: Date;
}): Promise<Principal | null> {
  if (!token?.startsWith(API_TOKEN_PREFIX)) return null;
  const row = await em.findOne(ApiToken, { tokenHash: sha256Hex(token) });
  if (!row || row.revokedAt) return null;
  const principal = await activePrincipal(em, row.userId);
  if (!principal) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    await em.nativeUpdate(ApiToken, { id: row.id }, { lastUsedAt: now });
  }
  return principal;
}

export async function revokeApiToken({ em, id }: { em: EntityManager; id: string }): Promise<boolean> {
  return (await em.nativeUpdate(ApiToken, { id, revokedAt: null }, { revokedAt: new Date() })) > 0;
}

/** The token from an `Authorization` header (`Bearer <token>`, case-insensitive scheme). */
export function readBearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}
