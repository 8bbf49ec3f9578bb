import { Migration } from '@mikro-orm/migrations';

/**
 * Security hardening (issue 11):
 * - `oauth_states.session_hash`: the console session that started an authorization, so its
 *   callback is accepted only in that browser (null when an API token started it: then the
 *   callback must be made by the same user).
 * - One marketplace account per host: a partial unique index on (plugin, account) over
 *   integrations that are not disabled, so an account working for one tenant cannot also be
 *   connected (and invoiced) in another. Accounts already connected in several tenants keep
 *   their oldest integration; the others are disabled with the reason, never deleted.
 */
export class Migration20261203150000Security extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "oauth_states" add column if not exists "session_hash" varchar(64) null;`);
    this.addSql(
      `update "integrations" i set "status" = 'disabled',
              "status_reason" = 'This marketplace account is also connected in another tenant of this host; an account may work for one tenant only. Disconnect it there before enabling it here.',
              "updated_at" = clock_timestamp()
        where i."external_account_id" is not null and i."status" <> 'disabled'
          and exists (select 1 from "integrations" o
                       where o."plugin_id" = i."plugin_id" and o."external_account_id" = i."external_account_id"
                         and o."status" <> 'disabled' and o."id" <> i."id"
                         and (o."created_at", o."id") < (i."created_at", i."id"));`,
    );
    this.addSql(
      `create unique index if not exists "integrations_account_active_unique" on "integrations" ("plugin_id", "external_account_id")
        where "external_account_id" is not null and "status" <> 'disabled';`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "integrations_account_active_unique";`);
    this.addSql(`alter table "oauth_states" drop column if exists "session_hash";`);
  }
}
