import type { Principal } from '../../auth/principal.ts';
import type { SqlPool } from '../../db/orm.ts';
import { tenantFilter } from '../../integrations/access.ts';

/**
 * What needs a person (SPEC "For daily work": alerts), worked out when asked, from the state the
 * host already keeps: integrations that cannot work until someone acts, and documents a tax
 * authority refused, holds or must still receive before their deadline. Plugin-agnostic: the
 * authority's name is the title its manifest gave, stored with each clearance.
 */
export interface Alert {
  /** Stable while the cause lasts: the chat webhook sends each alert once under it. */
  id: string;
  severity: 'error' | 'warning';
  title: string;
  message: string;
  /** The console page where it is dealt with. */
  href: string | null;
  /** How many things it covers (documents; 1 for an integration). */
  count: number;
}

/** Documents this old or newer keep their refusal alerts; older ones are history, not news. */
const RECENT_DAYS = 60;
/** A person switched it off on purpose (lifecycle `deactivate`, or disconnected it): nothing to be alerted about. */
const DEACTIVATED_BY_PERSON = 'Deactivated by %';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const formatDay = (iso: string) =>
  new Date(`${iso}T12:00:00Z`).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });

interface IntegrationRow {
  id: string;
  label: string;
  status: string;
  status_reason: string | null;
  last_sync_error: string | null;
  consecutive_failures: number;
}

interface ClearanceRow {
  authority: string;
  title: string;
  rejected: string;
  held: string;
  overdue: string;
  first_overdue: string | null;
  soon: string;
  first_soon: string | null;
}

/** The caller's alerts: its tenant's, or every tenant's for a platform admin. */
export function listAlerts(pool: SqlPool, principal: Principal): Promise<{ alerts: Alert[] }> {
  return alertsOf(pool, tenantFilter(principal) ?? null);
}

/** The alerts of one tenant (null: of all tenants). */
export async function alertsOf(pool: SqlPool, tenantId: string | null): Promise<{ alerts: Alert[] }> {
  const alerts: Alert[] = [];

  const integrations = await pool.query<IntegrationRow>(
    `select id, label, status, status_reason, last_sync_error, consecutive_failures
       from integrations
      where ($1::uuid is null or tenant_id = $1)
        and (status in ('needs_reauth', 'degraded')
             or (status = 'disabled' and coalesce(status_reason, '') not like $2 and disconnected_at is null)
             or (status = 'active' and consecutive_failures > 0))
      order by label, id`,
    [tenantId, DEACTIVATED_BY_PERSON],
  );
  for (const row of integrations.rows) {
    const href = `/settings/integrations/${row.id}`;
    if (row.status === 'needs_reauth')
      alerts.push({
        id: `reauth:${row.id}`,
        severity: 'error',
        title: `${row.label} needs you to connect it again`,
        message: `${row.status_reason ?? 'The service no longer accepts this connection.'} Nothing is synced or sent until then; open the integration and connect it again.`,
        href,
        count: 1,
      });
    else if (row.status === 'disabled')
      alerts.push({
        id: `disabled:${row.id}`,
        severity: 'error',
        title: `${row.label} was switched off`,
        message: `${row.status_reason ?? 'It failed too many times in a row.'} Fix the cause, then enable it again on its page.`,
        href,
        count: 1,
      });
    else
      alerts.push({
        id: `failing:${row.id}`,
        severity: 'warning',
        title: `${row.label} is failing`,
        // The stored reason names the failing job and what happens next (sync/integration-health.ts).
        message:
          row.status_reason ??
          `${row.last_sync_error ?? 'Its last runs failed.'} It is tried again automatically; open it to see each run.`,
        href,
        count: 1,
      });
  }

  // Per authority: refused and held documents of the last weeks, and deadlines near or past (read
  // in the authority's zone, as the invoice list's `attention` is).
  const clearance = await pool.query<ClearanceRow>(
    `with open as (
       select clearance ->> 'authority' as authority,
              coalesce(clearance ->> 'authorityTitle', clearance ->> 'authority') as title,
              clearance ->> 'status' as status,
              jsonb_array_length(coalesce(clearance -> 'errors', '[]'::jsonb)) as errors,
              issue_date,
              clearance -> 'due' ->> 'by' as due_by,
              clearance -> 'due' ->> 'warnFrom' as warn_from,
              to_char(now() at time zone coalesce(clearance -> 'due' ->> 'timeZone', 'UTC'), 'YYYY-MM-DD') as today
         from invoices
        where ($1::uuid is null or tenant_id = $1)
          and clearance ->> 'status' in ('pending', 'sent', 'rejected', 'offline'))
     select authority, min(title) as title,
            count(*) filter (where status = 'rejected' and issue_date >= $2) as rejected,
            count(*) filter (where status = 'pending' and errors > 0 and issue_date >= $2) as held,
            count(*) filter (where due_by < today) as overdue,
            min(due_by) filter (where due_by < today) as first_overdue,
            count(*) filter (where due_by >= today and warn_from <= today) as soon,
            min(due_by) filter (where due_by >= today and warn_from <= today) as first_soon
       from open group by authority order by authority`,
    [tenantId, new Date(Date.now() - RECENT_DAYS * 86_400_000).toISOString().slice(0, 10)],
  );
  for (const row of clearance.rows) {
    const [rejected, held, overdue, soon] = [row.rejected, row.held, row.overdue, row.soon].map(Number) as [
      number,
      number,
      number,
      number,
    ];
    if (overdue > 0)
      alerts.push({
        id: `overdue:${row.authority}`,
        severity: 'error',
        title: `${plural(overdue, 'document')} past the ${row.title} deadline`,
        message: `${overdue === 1 ? 'It was' : 'The first was'} due on ${formatDay(row.first_overdue!)} and ${row.title} does not have ${overdue === 1 ? 'it' : 'them'} yet. Open ${overdue === 1 ? 'it' : 'them'} to see what stops ${overdue === 1 ? 'it' : 'them'}, and fix it today.`,
        href: '/invoices?clearance=due',
        count: overdue,
      });
    if (soon > 0)
      alerts.push({
        id: `due:${row.authority}`,
        severity: 'warning',
        title: `${plural(soon, 'document')} due at ${row.title} soon`,
        message: `${soon === 1 ? 'It' : 'The first'} must reach ${row.title} by ${formatDay(row.first_soon!)}. Documents on their way go on by themselves; any held or refused one needs you.`,
        href: '/invoices?clearance=due',
        count: soon,
      });
    if (rejected > 0)
      alerts.push({
        id: `rejected:${row.authority}`,
        severity: 'error',
        title: `${plural(rejected, 'document')} refused by ${row.title}`,
        message: `Each shows ${row.title}'s reasons. Fix the data it names, then issue a correction or a new document.`,
        href: '/invoices?clearance=rejected',
        count: rejected,
      });
    if (held > 0)
      alerts.push({
        id: `held:${row.authority}`,
        severity: 'error',
        title: `${plural(held, 'document')} not sent to ${row.title}`,
        message: `Each shows what stops it and what to do: data to fix (then issue a correction), or a sign-in to renew (then it goes on by itself).`,
        href: '/invoices?clearance=held',
        count: held,
      });
  }
  return { alerts };
}
