import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { idProperty } from './common.ts';

/** `retrying`: an attempt failed and the next one is queued; a run and its retries are one row. */
export const SYNC_RUN_STATUSES = [
  'queued',
  'running',
  'retrying',
  'succeeded',
  'failed',
  'cancelled',
] as const;
export type SyncRunStatus = (typeof SYNC_RUN_STATUSES)[number];
/** `follow_up`: started by the host itself after another run; `follows` says after what. */
export const SYNC_TRIGGERS = ['schedule', 'manual', 'webhook', 'retry', 'follow_up'] as const;

/** One failed attempt of a run (the last one's error is also the run's `error`). */
export interface AttemptError {
  attempt: number;
  at: string;
  error: string;
}

export interface SyncCounts {
  fetched: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

/** One execution of a plugin job for one integration. */
export const SyncRun = defineEntity({
  name: 'SyncRun',
  tableName: 'sync_runs',
  indexes: [{ properties: ['integrationId', 'startedAt'] }],
  properties: {
    id: idProperty(),
    tenantId: p.uuid().index(),
    integrationId: p.uuid(),
    jobId: p.string().length(64),
    trigger: p.enum(SYNC_TRIGGERS),
    /** A follow-up run: after what, in words ("invoices were issued", a job's title). */
    follows: p.text().nullable(),
    status: p.enum(SYNC_RUN_STATUSES).default('queued'),
    attempt: p.integer().default(1),
    counts: p.json<SyncCounts>(),
    /** Skipped records by why, in words: `{ "not paid yet": 40 }`. */
    skipped: p.json<Record<string, number>>().defaultRaw("'{}'::jsonb"),
    progressDone: p.integer().default(0),
    progressTotal: p.integer().nullable(),
    error: p.text().nullable(),
    attemptErrors: p.json<AttemptError[]>().nullable(),
    nextAttemptAt: p.datetime().nullable(),
    startedAt: p.datetime().onCreate(() => new Date()),
    finishedAt: p.datetime().nullable(),
  },
});
export type ISyncRun = InferEntity<typeof SyncRun>;
