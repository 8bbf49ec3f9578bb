import type { AgendaBackend, NotificationChannel } from 'agenda';
import type { Database } from '../db/orm.ts';
export type SchedulerBackendKind = 'postgres' | 'embedded' | 'mongo';
export interface SelectedBackend {
    kind: SchedulerBackendKind;
    backend: AgendaBackend;
    /** Set when Agenda should be woken by notifications instead of waiting for its next poll. */
    notificationChannel: NotificationChannel | undefined;
}
/** Agenda's job table on the SQL database (created by the backend itself: `ensureSchema`). */
export declare const AGENDA_TABLE = "agenda_jobs";
/**
 * Picks Agenda's storage (SPEC "Stack"): MongoDB when `mongodbUrl` is set; otherwise the host's
 * PostgreSQL database through the shared pool. Constructing a backend does not connect.
 * - embedded (PGlite): no LISTEN/NOTIFY there, so notifications are off and Agenda polls;
 * - PostgreSQL: the shared pool serves queries, and LISTEN gets its own connection from the URL
 *   (a LISTEN client is held forever and must not take a slot of the application pool);
 * - MongoDB: no notification channel (change streams need a replica set); Agenda polls.
 */
export declare function selectBackend(options: {
    db: Database;
    mongodbUrl?: string | undefined;
}): SelectedBackend;
