import { Migration } from '@mikro-orm/migrations';

/**
 * Sliding-window rate limits (manifest `spacing: "sliding"`, issue 18): APIs such as KSeF count
 * requests in sliding windows of a second, a minute and an hour at once (limity-api.md) and allow
 * bursts within them, so spacing requests evenly at the minute's pace made a sign-in of five
 * requests take ten seconds. `rate_limit_logs` keeps, per bucket, the send times of its last
 * requests (as many as the largest limit); `rate_window_reserve` reserves the earliest time at
 * which no window would hold more than its limit — atomically, under the row's lock, so every
 * job and every host process shares one budget — and answers how long to wait for it (ms).
 * Slots only move forward: a caller never goes before one that reserved earlier.
 */
export class Migration20261205100000RateWindows extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table if not exists "rate_limit_logs" ("key" varchar(300) not null, "sent" timestamptz[] not null default '{}', primary key ("key"));`,
    );
    this.addSql(`
create or replace function rate_window_reserve(p_key text, p_limits int[], p_pers float8[], p_margin float8)
returns float8 language plpgsql as $fn$
declare
  s timestamptz[];
  n int;
  keep int := 1;
  slot timestamptz := clock_timestamp();
begin
  insert into rate_limit_logs (key) values (p_key) on conflict (key) do nothing;
  select sent into s from rate_limit_logs where key = p_key for update;
  n := coalesce(array_length(s, 1), 0);
  if n > 0 and s[n] > slot then slot := s[n]; end if;
  for i in 1 .. array_length(p_limits, 1) loop
    keep := greatest(keep, p_limits[i]);
    if n >= p_limits[i] then
      slot := greatest(slot, s[n - p_limits[i] + 1] + make_interval(secs => p_pers[i] + p_margin));
    end if;
  end loop;
  s := s || slot;
  n := n + 1;
  if n > keep then s := s[n - keep + 1 : n]; end if;
  update rate_limit_logs set sent = s where key = p_key;
  return greatest(0, extract(epoch from (slot - clock_timestamp())) * 1000);
end
$fn$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists rate_window_reserve(text, int[], float8[], float8);`);
    this.addSql(`drop table if exists "rate_limit_logs";`);
  }
}
