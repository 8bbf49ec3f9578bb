import { Migration } from '@mikro-orm/migrations';

/**
 * "Disconnect" means what it says (issue 13): an account that issued invoices keeps its row — its
 * invoices and its record of invoiced orders hang on it — but its secrets are erased and it stops;
 * `disconnected_at` marks it, so connecting the same account again resumes it instead of starting
 * a second history that would invoice every old order again.
 */
export class Migration20261205080000DisconnectedAccounts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "integrations" add column if not exists "disconnected_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "integrations" drop column if exists "disconnected_at";`);
  }
}
