import { Migration } from '@mikro-orm/migrations';

/** The first schema: tenancy, integrations, vault, sync state, ledger, outbound operations, invoicing, audit. */
export class Migration20261122000000Init extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "api_tokens" ("id" uuid not null, "user_id" uuid not null, "token_hash" varchar(64) not null, "name" varchar(200) not null default 'cli', "last_used_at" timestamptz null, "revoked_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "api_tokens_user_id_index" on "api_tokens" ("user_id");`);
    this.addSql(
      `alter table "api_tokens" add constraint "api_tokens_token_hash_unique" unique ("token_hash");`,
    );
    this.addSql(
      `create table "audit_log" ("id" uuid not null, "tenant_id" uuid null, "actor_user_id" uuid null, "action" varchar(64) not null, "target_type" varchar(32) null, "target_id" varchar(200) null, "details" jsonb null, "at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "audit_log_tenant_id_at_index" on "audit_log" ("tenant_id", "at");`);
    this.addSql(
      `create table "companies" ("id" uuid not null, "tenant_id" uuid not null, "name" varchar(300) not null, "tax_id" varchar(64) null, "registration_number" varchar(64) null, "address" jsonb null, "country" varchar(2) not null default 'PL', "default_currency" varchar(3) not null default 'PLN', "is_default" boolean not null default false, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "companies_tenant_id_index" on "companies" ("tenant_id");`);
    this.addSql(
      `create table "credentials" ("id" uuid not null, "tenant_id" uuid not null, "integration_id" uuid not null, "kind" varchar(32) not null, "ciphertext" text not null, "expires_at" timestamptz null, "version" int not null default 1, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "credentials_tenant_id_index" on "credentials" ("tenant_id");`);
    this.addSql(
      `alter table "credentials" add constraint "credentials_integration_id_kind_unique" unique ("integration_id", "kind");`,
    );
    this.addSql(
      `create table "cursors" ("integration_id" uuid not null, "key" varchar(128) not null, "value" jsonb not null, "updated_at" timestamptz not null, primary key ("integration_id", "key"));`,
    );
    this.addSql(
      `create table "customers" ("id" uuid not null, "tenant_id" uuid not null, "source" varchar(64) not null, "external_id" varchar(200) not null, "name" varchar(300) not null, "company_name" varchar(300) null, "tax_id" varchar(64) null, "email" varchar(320) null, "phone" varchar(64) null, "address" jsonb null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "customers_tenant_id_index" on "customers" ("tenant_id");`);
    this.addSql(
      `alter table "customers" add constraint "customers_tenant_id_source_external_id_unique" unique ("tenant_id", "source", "external_id");`,
    );
    this.addSql(
      `create table "integrations" ("id" uuid not null, "tenant_id" uuid not null, "company_id" uuid null, "plugin_id" varchar(64) not null, "label" varchar(200) not null, "external_account_id" varchar(200) null, "status" text not null default 'pending_auth', "status_reason" text null, "settings" jsonb not null, "settings_version" int not null default 1, "consecutive_failures" int not null default 0, "sync_error_count" int not null default 0, "last_sync_at" timestamptz null, "last_success_at" timestamptz null, "last_sync_error" text null, "webhook_token_hash" varchar(64) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "integrations_tenant_id_index" on "integrations" ("tenant_id");`);
    this.addSql(
      `alter table "integrations" add constraint "integrations_webhook_token_hash_unique" unique ("webhook_token_hash");`,
    );
    this.addSql(
      `create index "integrations_plugin_id_status_index" on "integrations" ("plugin_id", "status");`,
    );
    this.addSql(
      `alter table "integrations" add constraint "integrations_tenant_id_plugin_id_external_account_id_unique" unique ("tenant_id", "plugin_id", "external_account_id");`,
    );
    this.addSql(
      `alter table "integrations" add constraint "integrations_status_check" check ("status" in ('pending_auth', 'active', 'degraded', 'needs_reauth', 'disabled'));`,
    );
    this.addSql(
      `create table "invoices" ("id" uuid not null, "tenant_id" uuid not null, "company_id" uuid not null, "series_id" uuid not null, "sequence" int not null, "number" varchar(64) not null, "integration_id" uuid null, "plugin_id" varchar(64) null, "external_order_id" varchar(200) null, "external_order_revision" varchar(200) null, "customer_id" uuid null, "buyer" jsonb not null, "issue_date" varchar(10) not null, "sale_date" varchar(10) not null, "currency" varchar(3) not null, "net_total" numeric(16,2) not null, "vat_total" numeric(16,2) not null, "gross_total" numeric(16,2) not null, "status" text not null default 'issued', "paid_at" timestamptz null, "public_token_hash" varchar(64) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "invoices" add constraint "invoices_public_token_hash_unique" unique ("public_token_hash");`,
    );
    this.addSql(
      `create index "invoices_tenant_id_created_at_index" on "invoices" ("tenant_id", "created_at");`,
    );
    this.addSql(
      `alter table "invoices" add constraint "invoices_series_id_sequence_unique" unique ("series_id", "sequence");`,
    );
    this.addSql(
      `alter table "invoices" add constraint "invoices_integration_id_external_order_id_unique" unique ("integration_id", "external_order_id");`,
    );
    this.addSql(
      `alter table "invoices" add constraint "invoices_status_check" check ("status" in ('issued', 'paid', 'cancelled'));`,
    );
    this.addSql(
      `create table "invoice_lines" ("id" uuid not null, "invoice_id" uuid not null, "position" int not null, "product_id" uuid null, "name" varchar(500) not null, "quantity" numeric(14,3) not null, "unit_net" numeric(18,4) not null, "unit_gross" numeric(18,4) not null, "vat_rate" numeric(5,2) not null, "net_amount" numeric(16,2) not null, "vat_amount" numeric(16,2) not null, "gross_amount" numeric(16,2) not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "invoice_lines" add constraint "invoice_lines_invoice_id_position_unique" unique ("invoice_id", "position");`,
    );
    this.addSql(
      `create table "invoice_series" ("id" uuid not null, "tenant_id" uuid not null, "company_id" uuid not null, "code" varchar(32) not null, "pattern" varchar(64) not null default '{code}/{yyyy}/{n}', "next_number" int not null default 1, "is_default" boolean not null default false, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "invoice_series_tenant_id_index" on "invoice_series" ("tenant_id");`);
    this.addSql(
      `alter table "invoice_series" add constraint "invoice_series_company_id_code_unique" unique ("company_id", "code");`,
    );
    this.addSql(
      `create table "external_records" ("id" uuid not null, "tenant_id" uuid not null, "integration_id" uuid not null, "kind" varchar(32) not null, "external_id" varchar(200) not null, "revision" varchar(200) null, "content_hash" varchar(64) null, "host_type" varchar(32) null, "host_id" uuid null, "status" varchar(32) not null default 'processed', "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "external_records_tenant_id_index" on "external_records" ("tenant_id");`);
    this.addSql(
      `alter table "external_records" add constraint "external_records_integration_id_kind_external_id_unique" unique ("integration_id", "kind", "external_id");`,
    );
    this.addSql(
      `create table "oauth_states" ("state_hash" varchar(64) not null, "tenant_id" uuid not null, "user_id" uuid not null, "plugin_id" varchar(64) not null, "integration_id" uuid null, "verifier_ciphertext" text not null, "return_to" varchar(500) null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null, primary key ("state_hash"));`,
    );
    this.addSql(
      `create table "outbound_operations" ("id" uuid not null, "tenant_id" uuid not null, "integration_id" uuid not null, "kind" varchar(64) not null, "idempotency_key" varchar(200) not null, "subject_type" varchar(32) null, "subject_id" varchar(200) null, "payload" jsonb not null, "status" text not null default 'pending', "attempts" int not null default 0, "last_error" text null, "response" jsonb null, "external_ref" varchar(200) null, "next_attempt_at" timestamptz null, "completed_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "outbound_operations_tenant_id_index" on "outbound_operations" ("tenant_id");`);
    this.addSql(
      `create index "outbound_operations_status_next_attempt_at_index" on "outbound_operations" ("status", "next_attempt_at");`,
    );
    this.addSql(
      `alter table "outbound_operations" add constraint "outbound_operations_integration_id_kind_idempotency_key_unique" unique ("integration_id", "kind", "idempotency_key");`,
    );
    this.addSql(
      `alter table "outbound_operations" add constraint "outbound_operations_status_check" check ("status" in ('pending', 'running', 'succeeded', 'failed', 'dead'));`,
    );
    this.addSql(
      `create table "plugin_enablements" ("tenant_id" uuid not null, "plugin_id" varchar(64) not null, "enabled" boolean not null default true, "updated_at" timestamptz not null, primary key ("tenant_id", "plugin_id"));`,
    );
    this.addSql(
      `create table "products" ("id" uuid not null, "tenant_id" uuid not null, "source" varchar(64) not null, "external_id" varchar(200) not null, "sku" varchar(200) null, "name" varchar(500) not null, "vat_rate" numeric(5,2) not null, "unit_price" numeric(18,4) null, "currency" varchar(3) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "products_tenant_id_index" on "products" ("tenant_id");`);
    this.addSql(
      `alter table "products" add constraint "products_tenant_id_source_external_id_unique" unique ("tenant_id", "source", "external_id");`,
    );
    this.addSql(
      `create table "sessions" ("token_hash" varchar(64) not null, "user_id" uuid not null, "expires_at" timestamptz not null, "created_at" timestamptz not null, primary key ("token_hash"));`,
    );
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);
    this.addSql(
      `create table "sync_runs" ("id" uuid not null, "tenant_id" uuid not null, "integration_id" uuid not null, "job_id" varchar(64) not null, "trigger" text not null, "status" text not null default 'queued', "attempt" int not null default 1, "counts" jsonb not null, "progress_done" int not null default 0, "progress_total" int null, "error" text null, "started_at" timestamptz not null, "finished_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "sync_runs_tenant_id_index" on "sync_runs" ("tenant_id");`);
    this.addSql(
      `create index "sync_runs_integration_id_started_at_index" on "sync_runs" ("integration_id", "started_at");`,
    );
    this.addSql(
      `alter table "sync_runs" add constraint "sync_runs_trigger_check" check ("trigger" in ('schedule', 'manual', 'webhook', 'retry'));`,
    );
    this.addSql(
      `alter table "sync_runs" add constraint "sync_runs_status_check" check ("status" in ('queued', 'running', 'succeeded', 'failed', 'cancelled'));`,
    );
    this.addSql(
      `create table "tenants" ("id" uuid not null, "slug" varchar(64) not null, "name" varchar(200) not null, "disabled_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "tenants" add constraint "tenants_slug_unique" unique ("slug");`);
    this.addSql(
      `create table "tenant_keys" ("id" uuid not null, "tenant_id" uuid not null, "wrapped_key" text not null, "master_key_id" varchar(16) not null, "created_at" timestamptz not null, "rotated_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "tenant_keys" add constraint "tenant_keys_tenant_id_unique" unique ("tenant_id");`,
    );
    this.addSql(
      `create table "users" ("id" uuid not null, "tenant_id" uuid null, "email" varchar(320) not null, "name" varchar(200) null, "role" text not null, "password_hash" varchar(400) null, "disabled_at" timestamptz null, "last_login_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "users_tenant_id_index" on "users" ("tenant_id");`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);
    this.addSql(
      `alter table "users" add constraint "users_role_check" check ("role" in ('platform_admin', 'tenant_admin', 'tenant_user'));`,
    );
    // Referential integrity the entities keep as plain id columns.
    this.addSql(
      `alter table "companies" add constraint "companies_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "invoice_series" add constraint "invoice_series_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "users" add constraint "users_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "integrations" add constraint "integrations_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "credentials" add constraint "credentials_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "tenant_keys" add constraint "tenant_keys_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "sync_runs" add constraint "sync_runs_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "external_records" add constraint "external_records_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "outbound_operations" add constraint "outbound_operations_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "customers" add constraint "customers_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "products" add constraint "products_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "invoices" add constraint "invoices_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "plugin_enablements" add constraint "plugin_enablements_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "oauth_states" add constraint "oauth_states_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "credentials" add constraint "credentials_integration_id_foreign" foreign key ("integration_id") references "integrations" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "sync_runs" add constraint "sync_runs_integration_id_foreign" foreign key ("integration_id") references "integrations" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "cursors" add constraint "cursors_integration_id_foreign" foreign key ("integration_id") references "integrations" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "external_records" add constraint "external_records_integration_id_foreign" foreign key ("integration_id") references "integrations" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "outbound_operations" add constraint "outbound_operations_integration_id_foreign" foreign key ("integration_id") references "integrations" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "invoices" add constraint "invoices_integration_id_foreign" foreign key ("integration_id") references "integrations" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "oauth_states" add constraint "oauth_states_integration_id_foreign" foreign key ("integration_id") references "integrations" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "invoice_lines" add constraint "invoice_lines_invoice_id_foreign" foreign key ("invoice_id") references "invoices" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "invoices" add constraint "invoices_company_id_foreign" foreign key ("company_id") references "companies" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "invoices" add constraint "invoices_series_id_foreign" foreign key ("series_id") references "invoice_series" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "invoice_series" add constraint "invoice_series_company_id_foreign" foreign key ("company_id") references "companies" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "api_tokens" add constraint "api_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "oauth_states" add constraint "oauth_states_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "integrations" add constraint "integrations_company_id_foreign" foreign key ("company_id") references "companies" ("id") on delete set null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "users" cascade;`);
    this.addSql(`drop table if exists "tenant_keys" cascade;`);
    this.addSql(`drop table if exists "tenants" cascade;`);
    this.addSql(`drop table if exists "sync_runs" cascade;`);
    this.addSql(`drop table if exists "sessions" cascade;`);
    this.addSql(`drop table if exists "products" cascade;`);
    this.addSql(`drop table if exists "plugin_enablements" cascade;`);
    this.addSql(`drop table if exists "outbound_operations" cascade;`);
    this.addSql(`drop table if exists "oauth_states" cascade;`);
    this.addSql(`drop table if exists "external_records" cascade;`);
    this.addSql(`drop table if exists "invoice_series" cascade;`);
    this.addSql(`drop table if exists "invoice_lines" cascade;`);
    this.addSql(`drop table if exists "invoices" cascade;`);
    this.addSql(`drop table if exists "integrations" cascade;`);
    this.addSql(`drop table if exists "customers" cascade;`);
    this.addSql(`drop table if exists "cursors" cascade;`);
    this.addSql(`drop table if exists "credentials" cascade;`);
    this.addSql(`drop table if exists "companies" cascade;`);
    this.addSql(`drop table if exists "audit_log" cascade;`);
    this.addSql(`drop table if exists "api_tokens" cascade;`);
  }
}
