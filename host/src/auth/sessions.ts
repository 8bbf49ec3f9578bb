import type { EntityManager } from '@mikro-orm/core';
import { Session } from '../db/entities/index.ts';
import { activePrincipal, type Principal } from './principal.ts';
import { randomToken, sha256Hex } from './tokens.ts';

export const SESSION_COOKIE = 'mch_session';
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** Sliding expiry: a session used more than a day after it was last extended gets a fresh 7 days. */
const SLIDE_AFTER_MS = 24 * 60 * 60 * 1000;

export interface SessionAuth {
  principal: Principal;
  expiresAt: Date;
  /** The expiry moved: send the cookie again so the browser keeps it as long as the server does. */
  renewed: boolean;
}

/** Starts a console session; the token goes into the cookie, only its hash into `sessions`. */
export async function createSession({
  em,
  userId,
  now = new Date(),
}: {
  em: EntityManager;
  userId: string;
  now?: Date;
}): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  em.create(Session, { tokenHash: sha256Hex(token), userId, expiresAt, createdAt: now });
  await em.flush();
  return { token, expiresAt };
}

/** The session's principal, or null (unknown, expired, user or tenant disabled). */
export async function authenticateSession({
  em,
  token,
  now = new Date(),
}: {
  em: EntityManager;
  token: string | undefined;
  now?: Date;
}): Promise<SessionAuth | null> {
  if (!token) return null;
  const tokenHash = sha256Hex(token);
  const session = await em.findOne(Session, { tokenHash });
  if (!session) return null;
  if (session.expiresAt.getTime() <= now.getTime()) {
    await em.nativeDelete(Session, { tokenHash });
    return null;
  }
  const principal = await activePrincipal(em, session.userId);
  if (!principal) return null;
  let expiresAt = session.expiresAt;
  const renewed = expiresAt.getTime() - now.getTime() < SESSION_TTL_MS - SLIDE_AFTER_MS;
  if (renewed) {
    expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
    await em.nativeUpdate(Session, { tokenHash }, { expiresAt });
  }
  return { principal, expiresAt, renewed };
}

/** Ends a session; unknown tokens are ignored (logging out twice is not an error). */
export async function logout({ em, token }: { em: EntityManager; token: string | undefined }): Promise<void> {
  if (!token) return;
  await em.nativeDelete(Session, { tokenHash: sha256Hex(token) });
}

/** Ends every session of a user (password change, disable). */
export async function logoutEverywhere({
  em,
  userId,
}: {
  em: EntityManager;
  userId: string;
}): Promise<number> {
  return em.nativeDelete(Session, { userId });
}

/** Secure cookies whenever the host is reached over HTTPS (SPEC `PUBLIC_URL`). */
export function secureCookies(publicUrl: string): boolean {
  return publicUrl.toLowerCase().startsWith('https:');
}

/** `Set-Cookie` value for a session: HttpOnly (no script access), SameSite=Lax (CSRF), site-wide. */
export function sessionCookie({
  token,
  expiresAt,
  secure,
  now = new Date(),
}: {
  token: string;
  expiresAt: Date;
  secure: boolean;
  now?: Date;
}): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
  const parts = [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${maxAge}`,
    `Expires=${expiresAt.toUTCString()}`,
  ];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

/** `Set-Cookie` value that removes the session cookie. */
export function clearSessionCookie({ secure }: { secure: boolean }): string {
  const parts = [
    `${SESSION_COOKIE}=`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    'Max-Age=0',
    'Expires=Thu, 01 Jan 1970 00:00:00 GMT',
  ];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

/** The session token from a `Cookie` request header, if present. */
export function readSessionCookie(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  for (const pair of cookieHeader.split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === SESSION_COOKIE) return pair.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}
