import { BaseNotificationChannel, toJobId, type JobNotification } from 'agenda';
import pg from 'pg';
import { createPgPool, type ConnectionListener } from '../db/pg-pool.ts';

/** Reconnection backoff: 100 ms doubling to 5 s, forever (a database restart may take a while). */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;

/**
 * Agenda's wake-up channel over PostgreSQL LISTEN/NOTIFY, in the wire format of
 * `@agendajs/postgres-backend`'s `PostgresNotificationChannel`, rebuilt because that one cannot
 * survive a database restart (issue 20): it re-emits the LISTEN connection's 57P01 as an `'error'`
 * event nobody listens to (fatal), its reconnect counter is reset by every attempt (100 ms retries
 * forever, each logged twice), it leaks the pooled client when LISTEN fails after connecting, and
 * its private pool has no error listener. Here: the LISTEN session is one `pg.Client` of its own
 * (held forever, so never a slot of a pool), re-dialled with capped exponential backoff until
 * `disconnect()`, and NOTIFY goes through a small guarded pool. Missed notifications cost nothing
 * but latency: Agenda still polls.
 *
 * Only wake-ups (a job saved to run soon) are carried, not Agenda's job *state* notifications
 * (`publishState`: start, success, complete… of every run, re-emitted as events in every other
 * process). The host listens to no other process's job events, and those were three NOTIFYs per
 * run, each parsed by every worker: the largest per-run cost after the runs' own statements with
 * 10 000 integrations (issue 20). Without `publishState`, Agenda publishes none.
 */
export class PgNotificationChannel extends BaseNotificationChannel {
  readonly #url: string;
  readonly #listener: ConnectionListener | undefined;
  readonly #pool: pg.Pool;
  #client: pg.Client | undefined;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #outageLogged = false;

  constructor(options: { url: string; channelName: string; listener?: ConnectionListener | undefined }) {
    super({ channelName: options.channelName, reconnect: { enabled: true } });
    this.#url = options.url;
    this.#listener = options.listener;
    this.#pool = createPgPool({
      url: options.url,
      max: 2,
      name: 'notifications',
      listener: options.listener,
    });
    // Agenda registers no 'error' listener on its channel; ours are logged on state changes instead.
    this.on('error', () => undefined);
  }

  /** The first connection: a failure reaches the caller (Agenda's start), as the original's does. */
  async connect(): Promise<void> {
    this.#closed = false;
    await this.#listen();
  }

  async #listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#url,
      connectionTimeoutMillis: 5000,
      keepAlive: true,
    });
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, new Error('The LISTEN connection ended.')));
    client.on('notification', (message) => this.#receive(message));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.config.channelName}"`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#failures = 0;
    if (this.#outageLogged) {
      this.#outageLogged = false;
      this.#listener?.info({ channel: this.config.channelName }, 'Scheduler notifications restored');
    }
    this.setState('connected');
  }

  #lost(client: pg.Client, error: Error): void {
    if (this.#client !== client || this.#closed) return;
    this.#client = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (!this.#outageLogged) {
      this.#outageLogged = true;
      this.#listener?.warn(
        { channel: this.config.channelName, err: { message: error.message } },
        'Scheduler notifications lost their database connection; polling until it is back',
      );
    }
    this.#reconnectLater();
  }

  #reconnectLater(): void {
    if (this.#closed || this.#timer) return;
    const delay = Math.min(FIRST_RETRY_MS * 2 ** this.#failures, MAX_RETRY_MS);
    this.#failures++;
    this.setState('reconnecting');
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#listen().catch(() => this.#reconnectLater());
    }, delay);
    this.#timer.unref();
  }

  async disconnect(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const client = this.#client;
    this.#client = undefined;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
    await this.#pool.end().catch(() => undefined);
    this.handlers.clear();
    this.stateHandlers.clear();
    this.setState('disconnected');
  }

  async publish(notification: JobNotification): Promise<void> {
    const payload = JSON.stringify({
      jobId: notification.jobId,
      jobName: notification.jobName,
      nextRunAt: notification.nextRunAt?.toISOString() ?? null,
      priority: notification.priority,
      timestamp: notification.timestamp.toISOString(),
      source: notification.source,
    });
    // pg_notify takes parameters; NOTIFY itself does not.
    await this.#pool.query('select pg_notify($1, $2)', [this.config.channelName, payload]);
  }

  #receive(message: pg.Notification): void {
    if (!message.payload) return;
    try {
      const data = JSON.parse(message.payload) as Record<string, unknown>;
      const date = (value: unknown) => (typeof value === 'string' ? new Date(value) : undefined);
      if (message.channel === this.config.channelName) {
        void this.notifyHandlers({
          jobId: toJobId(String(data.jobId)),
          jobName: String(data.jobName),
          nextRunAt: date(data.nextRunAt) ?? null,
          priority: Number(data.priority ?? 0),
          timestamp: date(data.timestamp) ?? new Date(),
          ...(typeof data.source === 'string' ? { source: data.source } : {}),
        });
      }
    } catch {
      // A payload that is not ours (someone else NOTIFYing on the channel): Agenda polls anyway.
    }
  }
}
