import { Migration } from '@mikro-orm/migrations';

/**
 * Alerts sent to a tenant's chat (issue 13 "Alerts"): the incoming-webhook URL (it carries the
 * chat's secret, so it is kept sealed by the vault; only its host is shown back) and which alerts
 * were sent, so each is sent once while it lasts and again if it comes back after clearing.
 */
export class Migration20261205060000AlertWebhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "alert_webhooks" ("tenant_id" uuid not null, "url_ciphertext" text not null,
        "url_display" varchar(300) not null, "last_delivered_at" timestamptz null,
        "last_error" text null, "last_error_at" timestamptz null,
        "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(),
        primary key ("tenant_id"),
        constraint "alert_webhooks_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade);`,
    );
    this.addSql(
      `create table "alert_deliveries" ("tenant_id" uuid not null, "alert_id" varchar(200) not null,
        "sent_at" timestamptz not null default now(), primary key ("tenant_id", "alert_id"),
        constraint "alert_deliveries_tenant_id_foreign" foreign key ("tenant_id") references "tenants" ("id") on delete cascade);`,
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "alert_deliveries";');
    this.addSql('drop table if exists "alert_webhooks";');
  }
}
