import type { AgendaBackend, NotificationChannel } from 'agenda';
import { MongoBackend, ObjectId, type MongoJobRepository } from '@agendajs/mongo-backend';
import { PostgresBackend } from '@agendajs/postgres-backend';
import type pg from 'pg';
import type { Database } from '../db/orm.ts';
import type { ConnectionListener } from '../db/pg-pool.ts';
import { PgNotificationChannel } from './pg-notification-channel.ts';

export type SchedulerBackendKind = 'postgres' | 'embedded' | 'mongo';

export interface SelectedBackend {
  kind: SchedulerBackendKind;
  backend: AgendaBackend;
  /** Set when Agenda should be woken by notifications instead of waiting for its next poll. */
  notificationChannel: NotificationChannel | undefined;
}

/** Agenda's job table on the SQL database (created by the backend itself: `ensureSchema`). */
export const AGENDA_TABLE = 'agenda_jobs';

/**
 * Picks Agenda's storage (SPEC "Stack"): MongoDB when `mongodbUrl` is set; otherwise the host's
 * PostgreSQL database through the shared pool. Constructing a backend does not connect.
 * - embedded (PGlite): no LISTEN/NOTIFY there, so notifications are off and Agenda polls;
 * - PostgreSQL: the shared pool serves queries, and LISTEN gets its own connection from the URL
 *   (a LISTEN client is held forever and must not take a slot of the application pool), which
 *   survives database restarts (`PgNotificationChannel`);
 * - MongoDB: no notification channel (change streams need a replica set); Agenda polls.
 */
export function selectBackend(options: {
  db: Database;
  mongodbUrl?: string | undefined;
  listener?: ConnectionListener | undefined;
}): SelectedBackend {
  if (options.mongodbUrl) {
    return {
      kind: 'mongo',
      backend: new MongoBackend({ address: options.mongodbUrl, collection: 'agendaJobs' }),
      notificationChannel: undefined,
    };
  }
  const { db } = options;
  const backend = new PostgresBackend({
    pool: db.pool as unknown as pg.Pool,
    tableName: AGENDA_TABLE,
    ensureSchema: true,
    disableNotifications: true,
  });
  if (db.kind === 'embedded' || !db.url) return { kind: 'embedded', backend, notificationChannel: undefined };
  return {
    kind: 'postgres',
    backend,
    notificationChannel: new PgNotificationChannel({
      url: db.url,
      channelName: AGENDA_TABLE,
      listener: options.listener,
    }),
  };
}

/** A change to a recurring document made by an upsert: its data, and its interval when that changed. */
export interface RecurringChange {
  id: string;
  data: object;
  intervalMs: number;
  now: Date;
}

/**
 * Writes a recurring document's new data and interval in one statement that touches nothing
 * else. Agenda's own `Job.save()` writes back every field it read, `nextRunAt` included: an
 * upsert that read a document while it was due, and saved it after Agenda had run it, made it
 * due again (a second run right after the first). Here `nextRunAt` changes only with the
 * interval, and is computed from the row as it is now: `max(now, lastRunAt + interval)`.
 */
export function recurringPatcher(
  selected: SelectedBackend,
  db: Database,
): (change: RecurringChange) => Promise<void> {
  if (selected.kind === 'mongo') {
    return async ({ id, data, intervalMs, now }) => {
      const repository = selected.backend.repository as MongoJobRepository;
      const interval = String(intervalMs);
      await repository.collection.updateOne({ _id: new ObjectId(id) }, [
        {
          $set: {
            data,
            nextRunAt: {
              $cond: [
                { $eq: ['$repeatInterval', interval] },
                '$nextRunAt',
                { $max: [now, { $add: ['$lastRunAt', intervalMs] }] },
              ],
            },
            repeatInterval: interval,
          },
        },
      ]);
    };
  }
  return async ({ id, data, intervalMs, now }) => {
    await db.pool.query(
      `update ${AGENDA_TABLE} set data = $2::jsonb, ` +
        `next_run_at = case when repeat_interval = $3 then next_run_at ` +
        `else greatest($4::timestamptz, coalesce(last_run_at + $5::bigint * interval '1 millisecond', $4::timestamptz)) end, ` +
        `repeat_interval = $3 where id = $1`,
      [id, JSON.stringify(data), String(intervalMs), now, intervalMs],
    );
  };
}
