import { Migration } from '@mikro-orm/migrations';

/** API tokens may expire (issue 11: list, revoke and expire tokens); null means never. */
export class Migration20261203150000SecbAccounts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "api_tokens" add column if not exists "expires_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "api_tokens" drop column if exists "expires_at";`);
  }
}
