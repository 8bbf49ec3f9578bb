import { Migration } from '@mikro-orm/migrations';

/**
 * Sets the frozen documents' compression where the server has LZ4 (PostgreSQL 14+ built with
 * lz4; not the embedded database); elsewhere nothing changes.
 */
const compressWith = (method: 'lz4' | 'pglz') => `do $$
begin
  if exists (select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals)) then
    alter table "invoices" alter column "document" set compression ${method};
    alter table "held_invoices" alter column "draft" set compression ${method};
  end if;
end $$;`;

/**
 * Frozen documents (`invoices.document`, `held_invoices.draft`) are compressed with LZ4 instead of
 * pglz: every invoice carries its ~1.7 KB document, which pushes the row past the 2 KB TOAST
 * threshold, and pglz compressing it was a measurable share of the import (issue 17,
 * `bench/import.bench.ts`). Only new values are compressed the new way; both read back alike.
 */
export class Migration20261204100000DocumentCompression extends Migration {
  override async up(): Promise<void> {
    this.addSql(compressWith('lz4'));
  }

  override async down(): Promise<void> {
    this.addSql(compressWith('pglz'));
  }
}
