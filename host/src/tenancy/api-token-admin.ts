import type { EntityManager } from '@mikro-orm/core';
import { issueApiToken } from '../auth/api-tokens.ts';
import { ApiToken, User } from '../db/entities/index.ts';
import type { IApiToken } from '../db/entities/api-token.entity.ts';
import { actorUserId, manageableUser, mayManage, type Actor } from './actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { TenancyError } from '../errors.ts';

/** Enough for every script a person runs; a cap keeps a stolen session from minting thousands. */
export const MAX_ACTIVE_TOKENS_PER_USER = 50;
export const MAX_TOKEN_DAYS = 3650;

export interface ApiTokenView {
  id: string;
  name: string;
  state: 'active' | 'expired' | 'revoked';
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export function apiTokenView(row: IApiToken, now = new Date()): ApiTokenView {
  const state = row.revokedAt
    ? 'revoked'
    : row.expiresAt && row.expiresAt.getTime() <= now.getTime()
      ? 'expired'
      : 'active';
  return {
    id: row.id,
    name: row.name,
    state,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

/** A user's tokens, newest first; never the token strings (only their hashes are stored). */
export async function listApiTokens({
  em,
  actor,
  userId,
}: {
  em: EntityManager;
  actor: Actor;
  userId: string;
}): Promise<ApiTokenView[]> {
  await manageableUser(em, actor, userId);
  const rows = await em.find(ApiToken, { userId }, { orderBy: { createdAt: 'desc' } });
  const now = new Date();
  return rows.map((row) => apiTokenView(row, now));
}

/** A new token for `userId` (the actor's own, or one the actor manages); shown once. */
export async function issueTokenFor({
  em,
  actor,
  userId,
  name,
  expiresInDays,
}: {
  em: EntityManager;
  actor: Actor;
  userId: string;
  name: string;
  /** Null or absent: valid until revoked. */
  expiresInDays?: number | null | undefined;
}): Promise<{ token: string; view: ApiTokenView }> {
  const user = await manageableUser(em, actor, userId);
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 100)
    throw new TenancyError('TOKEN_NAME_INVALID', 'A token name must be 1–100 characters.');
  if (
    expiresInDays !== undefined &&
    expiresInDays !== null &&
    !(Number.isInteger(expiresInDays) && expiresInDays >= 1 && expiresInDays <= MAX_TOKEN_DAYS)
  )
    throw new TenancyError(
      'TOKEN_NAME_INVALID',
      `A token's lifetime must be 1–${MAX_TOKEN_DAYS} days, or none (valid until revoked).`,
    );
  if (user.disabledAt)
    throw new TenancyError(
      'USER_DISABLED',
      `The user ${user.email} is disabled; enable it before issuing tokens.`,
    );
  const now = new Date();
  const active = await em.count(ApiToken, {
    userId,
    revokedAt: null,
    $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }],
  });
  if (active >= MAX_ACTIVE_TOKENS_PER_USER)
    throw new TenancyError(
      'TOKEN_LIMIT',
      `This account already has ${active} active API tokens; revoke unused ones first.`,
    );
  const expiresAt = expiresInDays ? new Date(now.getTime() + expiresInDays * 86_400_000) : null;
  recordAudit(em, {
    tenantId: user.tenantId ?? null,
    actorUserId: actorUserId(actor) ?? user.id,
    action: 'api_token.create',
    targetType: 'user',
    targetId: user.id,
    details: { name: trimmed, expiresAt: expiresAt?.toISOString() ?? null },
  });
  const { id, token } = await issueApiToken({ em, userId, name: trimmed, expiresAt });
  const row = await em.findOneOrFail(ApiToken, { id });
  return { token, view: apiTokenView(row, now) };
}

/** Revokes one token the actor may manage; revoking twice is not an error. */
export async function revokeTokenFor({
  em,
  actor,
  id,
}: {
  em: EntityManager;
  actor: Actor;
  id: string;
}): Promise<ApiTokenView> {
  const row = await em.findOne(ApiToken, { id });
  const owner = row ? await em.findOne(User, { id: row.userId }) : null;
  if (!row || !owner || !mayManage(actor, owner))
    throw new TenancyError('TOKEN_NOT_FOUND', 'No such API token among those you manage.');
  if (!row.revokedAt) {
    row.revokedAt = new Date();
    recordAudit(em, {
      tenantId: owner.tenantId ?? null,
      actorUserId: actorUserId(actor),
      action: 'api_token.revoke',
      targetType: 'api_token',
      targetId: row.id,
      details: { name: row.name },
    });
    await em.flush();
  }
  return apiTokenView(row);
}
