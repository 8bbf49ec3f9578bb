import { api, errorCode, onUnauthorized } from './trpc.ts';

export type Role = 'platform_admin' | 'tenant_admin' | 'tenant_user';

export interface SessionUser {
  id: string;
  email: string;
  role: Role;
  tenantId: string | null;
  tenantName: string | null;
}

/** The signed-in user, shared by every page; `loaded` turns true after the first `auth.me`. */
export const session = $state<{ user: SessionUser | null; loaded: boolean }>({ user: null, loaded: false });

// An expired session mid-use: forget the user; the layout sends them to sign in again.
onUnauthorized(() => {
  session.user = null;
});

export async function loadSession(): Promise<SessionUser | null> {
  try {
    session.user = (await api.auth.me.query()).user;
  } catch (error) {
    if (errorCode(error) !== 'UNAUTHORIZED') throw error;
    session.user = null;
  } finally {
    session.loaded = true;
  }
  return session.user;
}

export function isAdmin(user: SessionUser | null): boolean {
  return user?.role === 'platform_admin';
}

/** Where a user lands after signing in. */
export function homeFor(user: SessionUser): string {
  return user.role === 'platform_admin' && !user.tenantId ? '/admin' : '/settings/integrations';
}

export const ROLE_LABELS: Record<Role, string> = {
  platform_admin: 'Platform admin',
  tenant_admin: 'Tenant admin',
  tenant_user: 'Tenant user',
};

/** Where to go after signing in: `?next=` when it is a path on this site (never elsewhere), else home. */
export function nextPath(url: URL, user: SessionUser): string {
  const next = url.searchParams.get('next');
  return next && next.startsWith('/') && !next.startsWith('//') && next !== '/login' ? next : homeFor(user);
}
