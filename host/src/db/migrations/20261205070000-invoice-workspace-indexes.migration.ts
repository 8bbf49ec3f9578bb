import { Migration } from '@mikro-orm/migrations';
import { SEARCH_TEXT } from '../invoice-search.ts';

/**
 * The invoice workspace over 100 000 documents (issue 13, `bench/invoice-workspace.bench.ts`):
 * - a date range (a month, the CSV export of one) reads the tenant's documents of those days, not
 *   all of them: (tenant_id, issue_date);
 * - the search box (number, marketplace order number, buyer) is a substring match anywhere in the
 *   text: one trigram index over the searched text (`SEARCH_TEXT`, db/invoice-search.ts, the same
 *   expression the list's condition uses). pg_trgm ships with PostgreSQL and is a trusted extension; where it
 *   cannot be created (the embedded database, a role without the right) the search still works,
 *   by reading the tenant's documents.
 */
export class Migration20261205070000InvoiceWorkspaceIndexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index if not exists "invoices_tenant_id_issue_date_index" on "invoices" ("tenant_id", "issue_date");`,
    );
    this.addSql(`do $$
begin
  create extension if not exists pg_trgm;
  create index if not exists "invoices_search_trgm_index" on "invoices" using gin (${SEARCH_TEXT} gin_trgm_ops);
exception when others then
  raise notice 'invoice search index not created (%): the search reads the documents instead', sqlerrm;
end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists "invoices_search_trgm_index";');
    this.addSql('drop index if exists "invoices_tenant_id_issue_date_index";');
  }
}
